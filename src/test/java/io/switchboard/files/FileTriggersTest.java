package io.switchboard.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Card;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties.Source;
import io.switchboard.integration.Trigger;
import org.apache.camel.builder.NoErrorHandlerBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks of file cards, and the consumer options the trigger sets rather than inherits. */
class FileTriggersTest {

    private static final Connection DROP = new Connection(ConnectionKind.FILE, null, null, null, null, 0, 0, null, null,
            null, null, "/srv/drop");

    @Test
    void aCardWithoutSourceStopsTheStartNamingWhatToAdd() {
        assertThatThrownBy(() -> triggers(card(null), Map.of()))
                .hasMessageContaining("switchboard.integrations.order-files.source is missing")
                .hasMessageContaining("source: {connection: <a file connection>");
    }

    @Test
    void aConnectionOfAnotherKindStopsTheStart() {
        Connection mail = new Connection(ConnectionKind.MAIL, null, null, null, null, 0, 0, null,
                "imap://127.0.0.1:143", null, null, null);
        assertThatThrownBy(() -> triggers(card(source("orders", null)), Map.of("partner-drop", mail)))
                .hasMessageContaining("a mail connection; a file trigger reads a file connection");
    }

    @Test
    void aFolderOutsideTheConnectionsPathStopsTheStart() {
        assertThatThrownBy(() -> triggers(card(source("../etc", null)), Map.of("partner-drop", DROP)))
                .hasMessageContaining(".folder '../etc' leaves the connection's path");
    }

    @Test
    void anIncludeThatIsNoRegularExpressionStopsTheStart() {
        assertThatThrownBy(() -> triggers(card(source("orders", "*.json")), Map.of("partner-drop", DROP)))
                .hasMessageContaining(".include '*.json' is not a regular expression");
    }

    @Test
    void theConsumerMovesOnCommitOnlyWaitsForTheWriterAndTakesTheIncludeAsWritten() throws Exception {
        FileTriggers triggers = triggers(card(source("orders", "order-\\d+\\.json")), Map.of("partner-drop", DROP));
        Path folder = triggers.folderOf("order-files", card(source("orders", "order-\\d+\\.json")));

        String uri = triggers.uri(folder, "order-\\d+\\.json");

        assertThat(folder).isEqualTo(Path.of("/srv/drop/orders"));
        assertThat(uri).doesNotContain("moveFailed");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            FileEndpoint endpoint = camel.getEndpoint(uri, FileEndpoint.class);
            assertThat(endpoint.getInclude()).isEqualTo("order-\\d+\\.json");
            assertThat(endpoint.getMove()).hasToString("${file:parent}/.done/${file:onlyname}");
            assertThat(endpoint.getMoveFailed()).isNull();
            assertThat(endpoint.getReadLock()).isEqualTo("changed");
            assertThat(endpoint.getReadLockMinAge()).as("a file already quiet is taken without a wait")
                    .isEqualTo(endpoint.getReadLockCheckInterval());
            assertThat(endpoint.isReadLockMarkerFile()).isTrue();
            assertThat(endpoint.isRecursive()).isFalse();
        }
    }

    @Test
    void aFolderMissingOnDiskStopsTheTriggerNamingIt(@TempDir Path drop) {
        FileTriggers triggers = triggers(card(source("orders", null)), Map.of("partner-drop", fileConnection(drop)));

        assertThatThrownBy(() -> {
            try (DefaultCamelContext camel = new DefaultCamelContext()) {
                camel.addRoutes(triggers);
            }
        }).hasStackTraceContaining("the folder " + drop.resolve("orders") + " does not exist");
    }

    @Test
    void theSourceRouteKeepsNoErrorHandlerUnderTheSharedDeadLetterChannel(@TempDir Path drop) throws Exception {
        Files.createDirectory(drop.resolve("orders"));
        FileTriggers triggers = triggers(card(source("orders", null)), Map.of("partner-drop", fileConnection(drop)));

        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            // As SharedErrorHandling: a configuration without an id applies to every route naming no other.
            camel.addRoutes(new RouteConfigurationBuilder() {
                @Override
                public void configuration() {
                    routeConfiguration().errorHandler(deadLetterChannel("log:dead"));
                }
            });
            camel.addRoutes(triggers);

            RouteDefinition route = camel.getCamelContextExtension().getContextPlugin(Model.class)
                    .getRouteDefinition("source-order-files");
            // A dead-letter channel would mark the failure handled, and camel-file would move the file to .done.
            assertThat(route.getErrorHandlerFactory()).isInstanceOf(NoErrorHandlerBuilder.class);
        }
    }

    private static Connection fileConnection(Path path) {
        return new Connection(ConnectionKind.FILE, null, null, null, null, 0, 0, null, null, null, null,
                path.toString());
    }

    private static FileTriggers triggers(Integration integration, Map<String, Connection> connections) {
        return new FileTriggers(new IntegrationsProperties(Map.of("order-files", integration)),
                new ConnectionsProperties(connections), null, null, null, true, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(1), 100);
    }

    private static Source source(String folder, String include) {
        return new Source("partner-drop", null, null, null, folder, include);
    }

    private static Integration card(Source source) {
        return new Integration(Trigger.FILE, new Card("order files", null, null, null, null, null, null, "tests",
                null), null, null, null, null, null, source, null);
    }
}
