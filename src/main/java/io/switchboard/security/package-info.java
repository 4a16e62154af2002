/** Who may do what: users and roles (viewer &lt; operator &lt; admin), API keys, and the HTTP access rules. */
package io.switchboard.security;
