package io.hardneg.model;

import io.hardneg.image.InputSpec;
import java.util.List;
import java.util.Set;

/** What a loaded model is: identity, input layout and normalisation, embedding size, training classes. */
public record ModelInfo(
        String name,
        String version,
        InputSpec inputSpec,
        int embeddingDim,
        boolean l2NormalizedByModel,
        List<String> classNames,
        Set<String> trainedClasses,
        Set<String> heldOutClasses,
        String sha256,
        String origin) {

    public ModelInfo {
        classNames = List.copyOf(classNames);
        trainedClasses = Set.copyOf(trainedClasses);
        heldOutClasses = Set.copyOf(heldOutClasses);
    }
}
