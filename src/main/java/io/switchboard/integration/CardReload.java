package io.switchboard.integration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.switchboard.logging.OneLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;

/**
 * Applies a changed card file while the server runs (the dev profile's reload): the file is
 * read, bound and checked as a start would; when that passes, {@link IntegrationsProperties}
 * holds the new cards and {@link CardChanged} tells whoever keeps per-integration state. When it
 * fails, the previous card keeps working, the log says why once, and so does the integration's
 * card in the console ({@link RouteFileProblems}) until a good file replaces it.
 */
@Component
public class CardReload {

    private static final Logger log = LoggerFactory.getLogger(CardReload.class);

    private final ConfigurableEnvironment environment;
    private final IntegrationsProperties integrations;
    private final RouteFileProblems problems;
    private final ApplicationEventPublisher events;

    public CardReload(ConfigurableEnvironment environment, IntegrationsProperties integrations,
            RouteFileProblems problems, ApplicationEventPublisher events) {
        this.environment = environment;
        this.integrations = integrations;
        this.problems = problems;
        this.events = events;
    }

    /**
     * Applies the card file as it now is (a deleted file removes the card).
     *
     * @param location the file as the reload names it ({@code file:routes/x.card.yaml}), the key of its problem
     * @return the integration id when the card was accepted, empty when it was refused
     */
    public synchronized Optional<String> reload(Path file, String location) {
        String id = CardFiles.idOf(file);
        Map<String, Object> before = CardFiles.installed(environment);
        Map<String, Object> after = CardFiles.installed(environment);
        after.keySet().removeIf(key -> key.startsWith(CardFiles.PREFIX + id + "."));
        try {
            if (Files.exists(file)) {
                after.putAll(CardFiles.read(file));
            }
            CardFiles.install(environment, after);
            DevWebhookSecrets.fillIn(environment);
            IntegrationsProperties bound = Binder.get(environment)
                    .bind("switchboard", Bindable.of(IntegrationsProperties.class))
                    .orElseGet(() -> new IntegrationsProperties(Map.of()));
            bound.find(id).ifPresent(integration -> check(id, integration));
            integrations.replace(bound.all());
        } catch (RuntimeException refused) {
            CardFiles.install(environment, before);
            String message = file.getFileName() + ": " + describe(refused).replaceFirst("^" + file.getFileName() + ": ", "");
            log.error("card file not reloaded, the previous card keeps working: {}", OneLine.escape(message));
            problems.refused(location, List.of(id), message);
            return Optional.empty();
        }
        problems.accepted(location);
        log.info("card of integration '{}' reloaded from {}", id, file.getFileName());
        events.publishEvent(new CardChanged(id));
        return Optional.of(id);
    }

    /** What a start would refuse in a card that binds. */
    private static void check(String id, IntegrationsProperties.Integration integration) {
        if (integration.trigger() == null) {
            throw new IllegalArgumentException("no trigger: give trigger: webhook, schedule, api, event... at the top");
        }
        if (integration.card() == null) {
            throw new IllegalArgumentException("no card: give card: (description, owner, timing, alert-channel...)");
        }
        if (integration.trigger() == Trigger.WEBHOOK && integration.webhook().secret().isEmpty()) {
            throw new IllegalArgumentException(WebhookSecrets.missing(id));
        }
    }

    private static String describe(Throwable failure) {
        StringBuilder message = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(message.isEmpty() ? "" : ": ").append(cause.getMessage().strip());
            }
        }
        return message.isEmpty() ? failure.getClass().getSimpleName() : message.toString();
    }
}
