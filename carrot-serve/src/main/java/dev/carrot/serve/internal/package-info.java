/**
 * The gateway's implementation: not API. {@link dev.carrot.serve.internal.RouterAdapter} and
 * {@link dev.carrot.serve.internal.DecisionWire} are the only classes that use carrot-route's types.
 */
package dev.carrot.serve.internal;
