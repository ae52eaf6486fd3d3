/**
 * Not API: what the chat models of {@code dev.carrot.langchain4j} share (the routed text, the per-call options and
 * the plan of one call). No other module may use it (carrot-route's {@code ArchitectureTest} checks).
 */
package dev.carrot.langchain4j.internal;
