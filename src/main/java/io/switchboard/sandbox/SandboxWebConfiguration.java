package io.switchboard.sandbox;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the {@link SandboxGate} (faults, rate limit) in front of the simulated systems. */
@SandboxEnabled
@Configuration(proxyBeanMethods = false)
class SandboxWebConfiguration implements WebMvcConfigurer {

    private final SandboxGate gate;

    SandboxWebConfiguration(SandboxGate gate) {
        this.gate = gate;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(gate).addPathPatterns("/sandbox/**");
    }
}
