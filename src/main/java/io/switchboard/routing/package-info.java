/** Loading integration routes from {@code routes/}, explaining broken route files, and logging every finished exchange. */
package io.switchboard.routing;
