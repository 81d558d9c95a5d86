package org.sae4j.activations.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * All weights of a Llama model.
 *
 * @param config         the shape
 * @param tokenEmbedding [vocabSize, dim]
 * @param layers         one per block, in order
 * @param rmsFinal       final RMSNorm gain, [dim]
 * @param classifier     [vocabSize, dim]; the same object as {@code tokenEmbedding} when the classifier is shared
 */
public record LlamaWeights(LlamaConfig config, INDArray tokenEmbedding, List<LayerWeights> layers, float[] rmsFinal,
                           INDArray classifier) {

    public LlamaWeights {
        layers = List.copyOf(layers);
        if (layers.size() != config.nLayers()) {
            throw new IllegalArgumentException(layers.size() + " layers given, config says " + config.nLayers());
        }
        LayerWeights.requireShape("tokenEmbedding", tokenEmbedding, config.vocabSize(), config.dim());
        LayerWeights.requireShape("classifier", classifier, config.vocabSize(), config.dim());
        LayerWeights.requireLength("rmsFinal", rmsFinal, config.dim());
        if (config.sharedClassifier() && classifier != tokenEmbedding) {
            throw new IllegalArgumentException("config says the classifier is shared but a separate one was given");
        }
        for (LayerWeights layer : layers) {
            layer.check(config);
        }
    }
}
