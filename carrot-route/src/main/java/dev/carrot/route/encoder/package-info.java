/**
 * In-process prompt encoders: {@link dev.carrot.route.encoder.Encoders} loads all-MiniLM-L6-v2 (built in) or any
 * sentence encoder exported to ONNX; {@link dev.carrot.route.encoder.EncoderInfo} is an encoder's identity, with the
 * one compatibility check routers and caches use; {@link dev.carrot.route.encoder.CarrotHome} locates carrot's cache
 * directory. Implementation classes live in {@code dev.carrot.route.encoder.internal}, which is not API.
 */
package dev.carrot.route.encoder;
