package io.switchboard.security;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates programmatic clients by their {@code X-Api-Key}. Keys are configured as
 * SHA-256 hashes and compared in constant time; a wrong key is refused at once rather
 * than falling through to another login.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String HEADER = ApiKeyGate.HEADER;
    /** Set on a request authenticated by a key or by HTTP Basic: it carries no browser session, so no CSRF check. */
    static final String STATELESS_CREDENTIALS = ApiKeyAuthenticationFilter.class.getName() + ".stateless";

    private final ApiKeyGate gate;
    private final RequestAttributeSecurityContextRepository contexts = new RequestAttributeSecurityContextRepository();

    ApiKeyAuthenticationFilter(ApiKeyGate gate) {
        this.gate = gate;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = ApiKeyGate.presentedKey(request);
        if (presented == null || presented.isEmpty() || request.getRequestURI().startsWith("/webhooks/")) {
            // Webhook senders' API keys are the ingress's business, checked per integration.
            chain.doFilter(request, response);
            return;
        }
        ApiKeyGate.Caller matched = gate.admit(request, response, presented);
        if (matched == null) {
            return;
        }
        var auth = UsernamePasswordAuthenticationToken.authenticated("api-key:" + matched.keyName(), null,
                List.of(new SimpleGrantedAuthority(matched.role().authority())));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        // Routes on platform-http answer on an async dispatch, which this filter does not see
        // again: the request keeps the context so that dispatch is authorised too.
        contexts.saveContext(context, request, response);
        request.setAttribute(STATELESS_CREDENTIALS, Boolean.TRUE);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
