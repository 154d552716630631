package io.hardneg.bench;

import static io.hardneg.bench.Stats.round;

import io.hardneg.config.HardnegConfig;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.image.InputSpec;
import java.util.List;
import java.util.Map;

/** Stage 2: decoding the bundled PNGs into the model's input, on one core. */
final class DecodeStage {

    record Figures(double imagesPerSecond) implements BenchFigures {
        @Override
        public void writeTo(Map<String, Object> json) {
            json.put("decode_images_per_s", round(imagesPerSecond));
            json.put("decode_us_per_image", Math.round(1e7 / imagesPerSecond) / 10.0);
        }
    }

    private DecodeStage() {
    }

    static Figures run(InputSpec spec, HardnegConfig config, List<byte[]> pngs, double seconds) throws Exception {
        ImageDecoder decoder = new ImageDecoder(spec, new DecodeLimits(config.input().maxImageBytes(),
                config.input().maxPixels()));
        return new Figures(Microbenchmarks.decode(decoder, pngs, seconds));
    }
}
