/**
 * The in-JVM Llama transformer that produces activations for SAE training: the llama2.c checkpoint and tokenizer
 * formats ({@link org.sae4j.activations.model.Llama2cCheckpoint}, {@link org.sae4j.activations.model.Tokenizer}),
 * a forward pass batched over ragged sequences ({@link org.sae4j.activations.model.LlamaModel}) with
 * TransformerLens-named hook points that read or replace the residual stream, greedy and nucleus sampling
 * ({@link org.sae4j.activations.model.Generator}), text corpora cut into context windows
 * ({@link org.sae4j.activations.model.Corpus}, {@link org.sae4j.activations.model.ContextWindows}) and the
 * teacher-forced loss ({@link org.sae4j.activations.model.LossEvaluator}), and harvesting: hooked activations of the
 * non-BOS positions of context windows ({@link org.sae4j.activations.model.ActivationCapture}), streamed live to a
 * trainer through a seeded, seekable shuffle ({@link org.sae4j.activations.model.LiveModelSource}; several hook
 * points from one model pass).
 *
 * <p>Numerics follow Karpathy's llama2.c {@code run.c} operation for operation (float32 accumulation, RMSNorm eps
 * 1e-5, RoPE on adjacent pairs) so greedy decoding reproduces its output token for token; the weight products go
 * through one {@code Nd4j.gemm} per matrix per layer over all rows of the batch, the small per-row stages (norms,
 * RoPE, causal attention over short sequences) are plain loops over {@code float[]}.
 */
package org.sae4j.activations.model;
