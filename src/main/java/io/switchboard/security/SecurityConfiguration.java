package io.switchboard.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
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

    /** The request firewall's rule, checked without a regex (QuickFirewall). */
    @Bean
    WebSecurityCustomizer quickFirewall() {
        return web -> web.httpFirewall(QuickFirewall.create());
    }

    /**
     * No Micrometer observation around each of the chain's filters, authentications and
     * authorisations: wrapping every filter was half the CPU of an api integration's request
     * (customer-lookup, measured with a profiler). The requests themselves are still timed
     * ({@code http.server.requests}).
     */
    @Bean
    static SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

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

    /** Every password check of the server (form, Basic, Hawtio) goes through the failed-login throttle. */
    @Bean
    ThrottledAuthenticationManager passwordLogins(UserDetailsService users, PasswordEncoder encoder,
            LoginThrottle throttle) {
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(encoder);
        return new ThrottledAuthenticationManager(new ProviderManager(provider), throttle);
    }

    /**
     * Login bodies are read ahead of everything else, without a thread and within the webhooks'
     * body deadline, and dispatched again once whole (see LoginBodies): the REQUEST dispatch and
     * that ASYNC one.
     */
    @Bean
    FilterRegistrationBean<LoginBodies> loginBodies(
            @Value("${switchboard.ingress.body-deadline:5s}") Duration deadline) {
        FilterRegistrationBean<LoginBodies> registration = new FilterRegistrationBean<>(new LoginBodies(deadline));
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setUrlPatterns(List.of("/login", "/actuator/hawtio/auth/login"));
        registration.setAsyncSupported(true);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 3);
        return registration;
    }

    @Bean
    SmartInitializingSingleton hawtioLoginConnector(ThrottledAuthenticationManager passwordLogins,
            RoleHierarchy roleHierarchy) {
        return () -> HawtioLogin.connect(passwordLogins, roleHierarchy);
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties properties,
            ThrottledAuthenticationManager passwordLogins, LoginThrottle throttle, ApiKeyGate apiKeyGate,
            @Value("${switchboard.sandbox.enabled:false}") boolean sandbox,
            @Value("${switchboard.security.allowed-origins:}") List<String> allowedOrigins,
            @Value("${switchboard.security.max-concurrent-logins:16}") int maxConcurrentLogins,
            @Value("${switchboard.sandbox.max-concurrent-requests:100}") int maxConcurrentSandbox) throws Exception {
        validateApiKeys(properties.apiKeys());
        String viewer = Role.VIEWER.name();
        String operator = Role.OPERATOR.name();
        String admin = Role.ADMIN.name();
        // Only a request that an API key or HTTP Basic actually authenticated (ahead of the
        // CSRF check, below) skips it: such a client carries no browser session. A header that
        // is merely present (an empty key, a junk bearer token) beside a session cookie does not.
        RequestMatcher statelessClient = request -> request.getAttribute(ApiKeyAuthenticationFilter.STATELESS_CREDENTIALS) != null
                || request.getRequestURI().startsWith("/webhooks/");
        // The sandbox's simulated systems check their own (demo) credentials, as the real
        // ones would, so the server's outbound calls reach them without a server login.
        RequestMatcher sandboxSystems = request -> sandbox && request.getRequestURI().startsWith("/sandbox/")
                && !request.getRequestURI().startsWith("/sandbox/faults")
                && !request.getRequestURI().endsWith("/seed");
        var csrfHandler = new CsrfTokenRequestAttributeHandler();
        csrfHandler.setCsrfRequestAttributeName(null);
        var csrfTokens = CookieCsrfTokenRepository.withHttpOnlyFalse();
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Strict"));
        AuthenticationEntryPoint basicEntryPoint = basicEntryPoint();
        BasicAuthenticationFilter basicBeforeCsrf = new BasicAuthenticationFilter(passwordLogins, basicEntryPoint) {
            @Override
            protected void onSuccessfulAuthentication(HttpServletRequest request,
                    HttpServletResponse response, Authentication result) {
                request.setAttribute(ApiKeyAuthenticationFilter.STATELESS_CREDENTIALS, Boolean.TRUE);
            }
        };
        // The console and its login page: neither runs inline script or style.
        RequestMatcher consolePages = request -> {
            String path = request.getRequestURI();
            return path.equals("/console") || path.startsWith("/console/") || path.equals("/login");
        };

        http
            .authenticationManager(passwordLogins)
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                .requestMatchers(HttpMethod.POST, "/webhooks/**").permitAll()
                // Hawtio's pages include its own login page; its data (Jolokia, proxy) is
                // guarded by Hawtio's filter, which logs in through HawtioLogin and needs admin.
                .requestMatchers("/actuator/hawtio", "/actuator/hawtio/**", "/actuator/jolokia/**").permitAll()
                .requestMatchers("/actuator/prometheus").hasRole(viewer)
                .requestMatchers("/sandbox/faults", "/sandbox/faults/**", "/sandbox/*/seed").hasRole(admin)
                .requestMatchers(sandboxSystems).permitAll()
                .requestMatchers("/api/security/**").hasRole(admin)
                // The login page (whatever its query: ?error, ?busy, ?logout) and its look; nothing in them is secret.
                .requestMatchers(HttpMethod.GET, "/login", "/console/console.css").permitAll()
                // Connect account: starting it is an operator's POST (with the CSRF token), under /api/**
                // below. The provider's redirect back arrives without the (SameSite=Strict) session when
                // the provider is on another site: the callback proves itself by its single-use state,
                // bound to the browser that started it (a SameSite=Lax cookie), and its PKCE verifier.
                .requestMatchers(HttpMethod.GET, "/oauth2/callback/*").permitAll()
                .requestMatchers(HttpMethod.GET, "/api/**", "/console", "/console/**").hasRole(viewer)
                .requestMatchers("/api/**", "/console/**").hasRole(operator)
                .requestMatchers("/actuator/**").hasRole(admin)
                .anyRequest().authenticated())
            // Ahead of the CSRF check, in this order: bounded anonymous bodies, foreign origins off Hawtio and Jolokia,
            // locked logins refused, then the stateless credentials that may skip CSRF.
            .addFilterBefore(new AnonymousBodies(maxConcurrentLogins, maxConcurrentSandbox), CsrfFilter.class)
            .addFilterBefore(new SameOriginGuard(allowedOrigins), CsrfFilter.class)
            .addFilterBefore(new LoginThrottleFilter(throttle), CsrfFilter.class)
            .addFilterBefore(new ApiKeyAuthenticationFilter(apiKeyGate), CsrfFilter.class)
            .addFilterBefore(basicBeforeCsrf, CsrfFilter.class)
            // The DSL's own Basic filter stays for its entry point (the 401 challenge); it finds a
            // Basic request already authenticated above and does not check the password again.
            .httpBasic(basic -> basic.realmName("switchboard").authenticationEntryPoint(basicEntryPoint))
            // The console's own login page (console.LoginPage); Spring's handles the POST.
            .formLogin(form -> form.loginPage("/login").permitAll().defaultSuccessUrl("/console", false)
                    .failureHandler(formLoginFailure()))
            // Logout keeps Spring's default target, /login?logout, which the login page answers
            // ("You are signed out"; GET /login is permitted above whatever its query); this permits the POST.
            .logout(logout -> logout.permitAll())
            .csrf(csrf -> csrf
                .csrfTokenRepository(csrfTokens)
                .csrfTokenRequestHandler(csrfHandler)
                .ignoringRequestMatchers(statelessClient)
                .ignoringRequestMatchers(sandboxSystems)
                // Hawtio's own login and logout; everything else of Hawtio and all of Jolokia
                // carry the X-XSRF-TOKEN header (Hawtio reads it from the cookie).
                .ignoringRequestMatchers("/actuator/hawtio/auth/**"))
            .headers(headers -> headers
                .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN))
                // The console and /login run no inline script or style, so they can forbid both.
                .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(consolePages, new ContentSecurityPolicyHeaderWriter(
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                + "frame-ancestors 'none'"))));
        return http.build();
    }

    /**
     * Back to the login page: {@code ?busy} when the password was not checked because every slot
     * was taken by checks in progress (the right password gets in a second later), else
     * {@code ?error} (a wrong password or a lock; the page tells which).
     */
    static AuthenticationFailureHandler formLoginFailure() {
        AuthenticationFailureHandler busy = new SimpleUrlAuthenticationFailureHandler("/login?busy");
        AuthenticationFailureHandler refused = new SimpleUrlAuthenticationFailureHandler("/login?error");
        return (request, response, failure) -> {
            if (failure instanceof ThrottledAuthenticationManager.LoginLockedException locked && locked.busy()) {
                busy.onAuthenticationFailure(request, response, failure);
            } else {
                refused.onAuthenticationFailure(request, response, failure);
            }
        };
    }

    /** 401 with a Basic challenge, or 429 with Retry-After while the login is locked. */
    private static AuthenticationEntryPoint basicEntryPoint() {
        BasicAuthenticationEntryPoint challenge = new BasicAuthenticationEntryPoint();
        challenge.setRealmName("switchboard");
        challenge.afterPropertiesSet();
        return (request, response, failure) -> {
            if (failure instanceof ThrottledAuthenticationManager.LoginLockedException locked) {
                LoginThrottleFilter.refuse(response, locked.retryAfter());
            } else {
                challenge.commence(request, response, failure);
            }
        };
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
