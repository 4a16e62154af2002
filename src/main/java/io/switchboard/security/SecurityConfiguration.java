package io.switchboard.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may reach what. Nothing but the health probes is anonymous; webhook senders are
 * let through here because the ingress authenticates each one by its integration's
 * signature scheme, and so are calls to the sandbox's simulated systems (when it is on),
 * which check their own credentials. Reading needs {@code viewer}, changing needs
 * {@code operator}, Hawtio and the sandbox's fault switch need {@code admin}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(Role.ADMIN.name()).implies(Role.OPERATOR.name())
                .role(Role.OPERATOR.name()).implies(Role.VIEWER.name())
                .build();
    }

    @Bean
    UserDetailsService userDetailsService(SecurityProperties properties, JdbcTemplate jdbc, PasswordEncoder encoder) {
        List<UserDetails> users = new ArrayList<>();
        users.add(User.withUsername(properties.admin().user())
                .password(AdminPassword.hashFor(properties.admin(), jdbc, encoder))
                .roles(Role.ADMIN.name())
                .build());
        for (Map.Entry<String, SecurityProperties.User> user : properties.users().entrySet()) {
            if (user.getValue().passwordHash() == null || user.getValue().role() == null) {
                throw new IllegalStateException("switchboard.security.users." + user.getKey()
                        + " needs both password-hash ({bcrypt}...) and role (viewer, operator or admin)");
            }
            users.add(User.withUsername(user.getKey())
                    .password(user.getValue().passwordHash())
                    .roles(user.getValue().role().name())
                    .build());
        }
        return new InMemoryUserDetailsManager(users);
    }

    @Bean
    SmartInitializingSingleton hawtioLoginConnector(UserDetailsService users, PasswordEncoder encoder,
            RoleHierarchy roleHierarchy) {
        return () -> HawtioLogin.connect(users, encoder, roleHierarchy);
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties properties,
            @Value("${switchboard.sandbox.enabled:false}") boolean sandbox) throws Exception {
        validateApiKeys(properties.apiKeys());
        String viewer = Role.VIEWER.name();
        String operator = Role.OPERATOR.name();
        String admin = Role.ADMIN.name();
        // Machine clients (API key or basic auth) carry no browser session, so CSRF
        // protection only matters for the console's cookie session.
        RequestMatcher statelessClient = request -> request.getHeader(ApiKeyAuthenticationFilter.HEADER) != null
                || request.getHeader("Authorization") != null
                || request.getRequestURI().startsWith("/webhooks/");
        // The sandbox's simulated systems check their own (demo) credentials, as the real
        // ones would, so the server's outbound calls reach them without a server login.
        RequestMatcher sandboxSystems = request -> sandbox && request.getRequestURI().startsWith("/sandbox/")
                && !request.getRequestURI().startsWith("/sandbox/faults")
                && !request.getRequestURI().endsWith("/seed");
        var csrfHandler = new CsrfTokenRequestAttributeHandler();
        csrfHandler.setCsrfRequestAttributeName(null);

        http
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                .requestMatchers(HttpMethod.POST, "/webhooks/**").permitAll()
                // Hawtio's pages include its own login page; its data (Jolokia, proxy) is
                // guarded by Hawtio's filter, which logs in through HawtioLogin and needs admin.
                .requestMatchers("/actuator/hawtio", "/actuator/hawtio/**", "/actuator/jolokia/**").permitAll()
                .requestMatchers("/actuator/prometheus").hasRole(viewer)
                .requestMatchers("/sandbox/faults", "/sandbox/faults/**", "/sandbox/*/seed").hasRole(admin)
                .requestMatchers(sandboxSystems).permitAll()
                .requestMatchers(HttpMethod.GET, "/api/**", "/console", "/console/**").hasRole(viewer)
                .requestMatchers("/api/**", "/console/**").hasRole(operator)
                .requestMatchers("/actuator/**").hasRole(admin)
                .anyRequest().authenticated())
            .addFilterBefore(new ApiKeyAuthenticationFilter(properties.apiKeys()), BasicAuthenticationFilter.class)
            .httpBasic(basic -> basic.realmName("switchboard"))
            .formLogin(form -> form.defaultSuccessUrl("/console", false))
            // Logout keeps Spring's default target, /login?logout: naming it here, even the same
            // URL, stops the generated login page from answering it, so it became a 302 to /login.
            .csrf(csrf -> csrf
                .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                .csrfTokenRequestHandler(csrfHandler)
                .ignoringRequestMatchers(statelessClient)
                .ignoringRequestMatchers(sandboxSystems)
                .ignoringRequestMatchers("/actuator/hawtio/**", "/actuator/jolokia/**"));
        return http.build();
    }

    private static void validateApiKeys(Map<String, SecurityProperties.ApiKey> keys) {
        keys.forEach((name, key) -> {
            if (key.sha256() == null || !key.sha256().matches("[0-9a-fA-F]{64}")) {
                throw new IllegalStateException("switchboard.security.api-keys." + name
                        + ".sha256 must be the 64-character hex SHA-256 of the key (printf %s \"$KEY\" | sha256sum)");
            }
            if (key.role() == null) {
                throw new IllegalStateException("switchboard.security.api-keys." + name
                        + ".role must be viewer, operator or admin");
            }
        });
    }
}
