/** Loading integration routes from {@code routes/}, explaining broken route files, reading JSON bodies for the routes, and logging every finished exchange. */
package io.switchboard.routing;
