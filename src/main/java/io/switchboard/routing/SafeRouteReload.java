package io.switchboard.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import io.switchboard.integration.CardFiles;
import io.switchboard.integration.CardReload;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteFileProblems;
import io.switchboard.logging.OneLine;
import io.switchboard.reliability.RouteContract;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a changed route file only when it would also pass a fresh start: it must parse, every
 * route must have an id and belong to an integration, and each must keep the route contract.
 * A file that fails keeps the previous version of its routes running, is logged once with what
 * to fix (file, line and column for a YAML error), and is shown on the integration's card until
 * a good file replaces it. If Camel itself fails to start the new routes (an unknown bean, a
 * bad endpoint), the previous definitions are put back.
 */
class SafeRouteReload extends RouteWatcherReloadStrategy {

    private static final Logger log = LoggerFactory.getLogger(SafeRouteReload.class);
    private static final Pattern LOCATION = Pattern.compile("line \\d+, column \\d+");

    private static final String SCHEMA = ".schema.json";

    private final IntegrationsProperties integrations;
    private final RouteFileProblems problems;
    private final CardReload cards;
    private final BiConsumer<String, Path> schemas;
    private final Path folder;
    private final Path dataFolder;

    /**
     * @param cards   applies a changed {@code <id>.card.yaml}
     * @param schemas reads an integration's {@code <id>.schema.json} again, or throws saying why it cannot
     */
    SafeRouteReload(String directory, IntegrationsProperties integrations, RouteFileProblems problems,
            CardReload cards, BiConsumer<String, Path> schemas) {
        this(directory, integrations, problems, cards, schemas, RouteContract.DEFAULT_DATA_FOLDER);
    }

    /** @param dataFolder the platform's own folder, as the start's contract check knows it */
    SafeRouteReload(String directory, IntegrationsProperties integrations, RouteFileProblems problems,
            CardReload cards, BiConsumer<String, Path> schemas, Path dataFolder) {
        super(directory, false);
        this.folder = Path.of(directory);
        this.dataFolder = dataFolder;
        this.integrations = integrations;
        this.problems = problems;
        this.cards = cards;
        this.schemas = schemas;
        setPattern("*" + RouteFolder.SUFFIX + ",*" + CardFiles.SUFFIX + ",*" + SCHEMA);
        setRemoveAllRoutes(false);
    }

    /** Reloads these files now, as a change the watcher saw would. */
    void reload(Collection<Resource> resources) {
        onRouteReload(resources, false);
    }

    /**
     * Cards first, so a route whose card came in the same change (or just before) is accepted;
     * an accepted card reloads its integration's route file too, which then reads the card's
     * new settings and is accepted if it was refused for want of the card. Then schemas, then
     * the route files.
     */
    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null || resources.isEmpty()) {
            super.onRouteReload(resources, removeEverything);
            return;
        }
        Map<String, Resource> routeFiles = new LinkedHashMap<>();
        for (Resource resource : resources) {
            String name = name(resource);
            if (name.endsWith(CardFiles.SUFFIX)) {
                if (!exists(resource) && cardStillNeeded(resource)) {
                    continue;
                }
                cards.reload(path(resource), resource.getLocation()).ifPresent(id -> {
                    Path route = folder.resolve(id + RouteFolder.SUFFIX);
                    if (Files.exists(route)) {
                        routeFiles.putIfAbsent(route.getFileName().toString(), PluginHelper.getResourceLoader(
                                getCamelContext()).resolveResource("file:" + route.toAbsolutePath()));
                    }
                });
            } else if (name.endsWith(SCHEMA)) {
                reloadSchema(resource, name.substring(0, name.length() - SCHEMA.length()));
            }
        }
        for (Resource resource : resources) {
            if (name(resource).endsWith(RouteFolder.SUFFIX)) {
                routeFiles.put(name(resource), resource);
            }
        }
        if (!routeFiles.isEmpty()) {
            reloadRoutes(routeFiles.values(), removeEverything);
        }
    }

    /**
     * A deleted card whose integration's routes still run is refused, as a start without it
     * would be: the card stays until the route file goes first.
     */
    private boolean cardStillNeeded(Resource resource) {
        String id = CardFiles.idOf(path(resource));
        List<String> running = getCamelContext().getRoutes().stream().map(Route::getRouteId)
                .filter(route -> integrations.ownerOfRoute(route).filter(id::equals).isPresent())
                .filter(route -> !route.equals(id + "-runs"))
                .toList();
        if (running.isEmpty()) {
            return false;
        }
        refuse(resource, Set.of(id), "the card was deleted while routes " + running + " of its integration still run;"
                + " it stays until they no longer run (delete " + id + RouteFolder.SUFFIX + " and restart)");
        return true;
    }

    private void reloadSchema(Resource resource, String integration) {
        try {
            schemas.accept(integration, path(resource));
            problems.accepted(resource.getLocation());
            log.info("schema of integration '{}' reloaded from {}", integration, name(resource));
        } catch (RuntimeException broken) {
            String message = name(resource) + ": " + describe(broken);
            log.error("schema file not reloaded, the previous schema stays in use: {}", OneLine.escape(message));
            problems.refused(resource.getLocation(), List.of(integration), message);
        }
    }

    private void reloadRoutes(Collection<Resource> resources, boolean removeEverything) {
        Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> previous = new ArrayList<>();
        for (Resource resource : resources) {
            Set<String> owners = new LinkedHashSet<>();
            String problem = vet(resource, owners);
            List<RouteDefinition> running = definitionsFrom(model, resource);
            running.forEach(definition -> RouteContract.owner(definition, integrations).ifPresent(owners::add));
            if (problem != null) {
                refuse(resource, owners, problem);
                return;
            }
            previous.addAll(running);
        }
        try {
            super.onRouteReload(resources, removeEverything);
            resources.forEach(resource -> problems.accepted(resource.getLocation()));
        } catch (RuntimeException failure) {
            restore(model, previous);
            Set<String> owners = new LinkedHashSet<>();
            previous.forEach(definition -> RouteContract.owner(definition, integrations).ifPresent(owners::add));
            resources.forEach(resource -> refuse(resource, owners, describe(failure)));
        }
    }

    /** Parses the file as a start would and checks its routes; null when it may replace the running version. */
    private String vet(Resource resource, Set<String> owners) {
        if (!exists(resource)) {
            return null; // a deleted file takes its routes with it, as on the next start
        }
        List<String> found = new ArrayList<>();
        try {
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(getCamelContext()).findRoutesBuilders(resource)) {
                if (!(builder instanceof RouteBuilder routes)) {
                    continue;
                }
                for (RouteDefinition route : routes.configureRoutes(getCamelContext()).getRoutes()) {
                    RouteContract.owner(route, integrations).ifPresent(owners::add);
                    if (route.getResource() == null) {
                        route.setResource(resource);
                    }
                    List<String> routeProblems = RouteContract.check(route, integrations, folder, dataFolder);
                    if (!routeProblems.isEmpty()) {
                        found.add((route.hasCustomIdAssigned() ? "route '" + route.getRouteId() + "': " : "")
                                + String.join("; ", routeProblems));
                    }
                }
            }
        } catch (Exception unparsable) {
            return describe(unparsable);
        }
        return found.isEmpty() ? null : String.join(". ", found);
    }

    private void refuse(Resource resource, Set<String> owners, String problem) {
        String message = name(resource) + ": " + problem;
        // One log line whatever the YAML parser's message holds; the card shows it as written.
        log.error(name(resource).endsWith(CardFiles.SUFFIX)
                ? "card file not reloaded, the previous card keeps working: {}"
                : "route file not reloaded, the previous version keeps running: {}", OneLine.escape(message));
        problems.refused(resource.getLocation(), List.copyOf(owners), message);
    }

    private void restore(Model model, List<RouteDefinition> previous) {
        List<RouteDefinition> missing = previous.stream()
                .filter(definition -> getCamelContext().getRoute(definition.getRouteId()) == null).toList();
        if (missing.isEmpty()) {
            return;
        }
        try {
            model.addRouteDefinitions(missing);
        } catch (Exception again) {
            log.error("the previous version of {} could not be started again either: {}",
                    missing.stream().map(RouteDefinition::getRouteId).toList(), describe(again));
        }
    }

    private static List<RouteDefinition> definitionsFrom(Model model, Resource resource) {
        String fileName = fileName(resource.getLocation());
        return model.getRouteDefinitions().stream()
                .filter(definition -> definition.getResource() != null
                        && fileName.equals(fileName(definition.getResource().getLocation())))
                .toList();
    }

    /** What went wrong, the message with a line and column first when there is one. */
    static String describe(Throwable failure) {
        String fallback = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage();
            if (message == null) {
                continue;
            }
            if (LOCATION.matcher(message).find()) {
                return message.strip();
            }
            fallback = message.strip();
        }
        return fallback == null ? failure.getClass().getSimpleName() : fallback;
    }

    private static Path path(Resource resource) {
        try {
            return Paths.get(resource.getURI());
        } catch (RuntimeException notAUri) {
            String location = resource.getLocation();
            return Path.of(location.substring(location.indexOf(':') + 1));
        }
    }

    private static boolean exists(Resource resource) {
        try {
            return Files.exists(Paths.get(resource.getURI()));
        } catch (RuntimeException notAFile) {
            return resource.exists();
        }
    }

    private static String name(Resource resource) {
        return fileName(resource.getLocation());
    }

    private static String fileName(String location) {
        String path = location.substring(location.indexOf(':') + 1);
        Path fileName = Path.of(path).getFileName();
        return fileName == null ? path : fileName.toString();
    }
}
