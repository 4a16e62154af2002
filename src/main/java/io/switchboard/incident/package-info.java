/** Incidents: failures grouped by cause (a system and its error, bad data, a route's bug), one alert each, open until fixed. */
package io.switchboard.incident;
