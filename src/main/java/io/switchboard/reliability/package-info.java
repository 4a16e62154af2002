/** What to do when an integration fails: classify the failure, retry it with care, or park it as a dead letter. */
package io.switchboard.reliability;
