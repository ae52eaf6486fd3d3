/**
 * The gateway's implementation: not API. {@link dev.carrot.serve.internal.RouterAdapter} is the only class that uses
 * carrot-route's types.
 */
package dev.carrot.serve.internal;
