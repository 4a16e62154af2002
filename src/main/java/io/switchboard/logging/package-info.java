/**
 * How the server writes its log: one entry is one line, whatever values from outside it quotes.
 */
package io.switchboard.logging;
