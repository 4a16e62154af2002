package io.switchboard.security;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import io.hawt.web.auth.AuthenticationConfiguration;
import io.hawt.web.auth.AuthenticationContainerDiscovery;
import io.hawt.web.auth.RolePrincipal;
import io.hawt.web.auth.UserPrincipal;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * Lets Hawtio's own login page check the same users and roles as the rest of the server.
 * Hawtio authenticates through JAAS and names its helpers by class name
 * ({@code hawtio.authenticationContainerDiscoveryClasses}), so this class registers a JAAS
 * login module with Hawtio, and the module asks Spring Security's user store (through the
 * same failed-login throttle as every other login, with the request's client address), reached
 * through the static bridge that this bean fills in once the context is ready.
 */
public class HawtioLogin implements AuthenticationContainerDiscovery {

    private static volatile AuthenticationManager authenticationManager;
    private static volatile RoleHierarchy roleHierarchy;

    /** Called once the Spring context is ready; until then Hawtio logins are refused. */
    static void connect(AuthenticationManager passwords, RoleHierarchy hierarchy) {
        authenticationManager = passwords;
        roleHierarchy = hierarchy;
    }

    @Override
    public String getContainerName() {
        return "Switchboard (Spring Security users)";
    }

    @Override
    public boolean registerContainerAuthentication(AuthenticationConfiguration configuration) {
        configuration.addConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(SpringUserLoginModule.class.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())};
            }
        });
        return true;
    }

    /** JAAS login module that checks a name and password against Spring Security and adds Hawtio role principals. */
    public static class SpringUserLoginModule implements LoginModule {

        private Subject subject;
        private CallbackHandler callbackHandler;
        private Authentication authentication;
        private RoleHierarchy roles;

        @Override
        public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
                Map<String, ?> options) {
            this.subject = subject;
            this.callbackHandler = callbackHandler;
        }

        @Override
        public boolean login() throws LoginException {
            AuthenticationManager manager = authenticationManager;
            roles = roleHierarchy;
            // The server answering this request, when it is known: several servers in one JVM
            // (tests) each count their own logins, whichever connected the static bridge last.
            WebApplicationContext serving = RequestContextHolder.getRequestAttributes()
                    instanceof ServletRequestAttributes servlet ? WebApplicationContextUtils.getWebApplicationContext(
                            servlet.getRequest().getServletContext()) : null;
            if (serving != null && serving.getBeanProvider(ThrottledAuthenticationManager.class).getIfAvailable() != null) {
                manager = serving.getBean(ThrottledAuthenticationManager.class);
                roles = serving.getBean(RoleHierarchy.class);
            }
            if (manager == null) {
                throw new FailedLoginException("Switchboard is still starting");
            }
            NameCallback name = new NameCallback("user");
            PasswordCallback password = new PasswordCallback("password", false);
            try {
                callbackHandler.handle(new Callback[] {name, password});
            } catch (Exception e) {
                throw new FailedLoginException("Hawtio sent no user name and password");
            }
            if (name.getName() == null || password.getPassword() == null) {
                throw new FailedLoginException("Hawtio sent no user name and password");
            }
            try {
                var attempt = UsernamePasswordAuthenticationToken.unauthenticated(name.getName(),
                        new String(password.getPassword()));
                // The throttle counts Hawtio's failures per client address too, as on every other way in.
                attempt.setDetails(new WebAuthenticationDetails(clientAddress(), null));
                authentication = manager.authenticate(attempt);
                return true;
            } catch (ThrottledAuthenticationManager.LoginLockedException e) {
                throw new FailedLoginException(e.getMessage());
            } catch (AuthenticationException e) {
                throw new FailedLoginException("Wrong user name or password");
            } finally {
                password.clearPassword();
            }
        }

        /** The address of the request Hawtio's login servlet is answering (JAAS does not pass it on). */
        private static String clientAddress() {
            return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet
                    ? servlet.getRequest().getRemoteAddr() : null;
        }

        @Override
        public boolean commit() {
            if (authentication == null) {
                return false;
            }
            subject.getPrincipals().add(new UserPrincipal(authentication.getName()));
            Set<String> granted = roles.getReachableGrantedAuthorities(authentication.getAuthorities()).stream()
                    .map(GrantedAuthority::getAuthority)
                    .filter(authority -> authority.startsWith("ROLE_"))
                    .map(authority -> authority.substring("ROLE_".length()).toLowerCase())
                    .collect(Collectors.toSet());
            granted.forEach(role -> subject.getPrincipals().add(new RolePrincipal(role)));
            return true;
        }

        @Override
        public boolean abort() {
            authentication = null;
            return true;
        }

        @Override
        public boolean logout() {
            subject.getPrincipals().removeIf(p -> p instanceof UserPrincipal || p instanceof RolePrincipal);
            return true;
        }
    }
}
