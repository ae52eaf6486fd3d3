/** Implementation of {@code dev.carrot.route.encoder}; not API, may change without notice. */
package dev.carrot.route.encoder.internal;
