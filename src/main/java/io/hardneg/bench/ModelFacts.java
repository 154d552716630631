package io.hardneg.bench;

import java.util.Map;

/**
 * What was measured: the model, its input C×H×W and output size, the device, the cores, the effective intra-op
 * threads and spinning.
 */
record ModelFacts(String model, String modelInput, int embeddingDim, String device, int cores,
                  int inferenceThreads, boolean inferenceSpin) implements BenchFigures {

    @Override
    public void writeTo(Map<String, Object> json) {
        json.put("model", model);
        json.put("model_input", modelInput);
        json.put("embedding_dim", embeddingDim);
        json.put("device", device);
        json.put("cores", cores);
        json.put("inference_threads", inferenceThreads);
        json.put("inference_spin", inferenceSpin);
    }
}
