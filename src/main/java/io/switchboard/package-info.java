/** Switchboard's entry point; every capability lives in its own sub-package. */
package io.switchboard;
