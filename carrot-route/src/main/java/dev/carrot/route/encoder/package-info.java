/**
 * In-process prompt encoders: {@link dev.carrot.route.encoder.Encoders} loads all-MiniLM-L6-v2 (built in) or any
 * sentence encoder exported to ONNX; {@link dev.carrot.route.encoder.CachingPromptEncoder} and
 * {@link dev.carrot.route.encoder.EmbeddingCache} make sure a prompt is embedded once. Implementation classes live in
 * {@code dev.carrot.route.encoder.internal}, which is not API.
 */
package dev.carrot.route.encoder;
