package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route file, and every route example in the docs, validates against the JSON Schema of
 * the bundled Camel YAML DSL (read from the camel-yaml-dsl jar, so it follows the Camel version):
 * what an editor with that schema accepts is what the server loads.
 */
class RouteSchemaTest {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    private static JsonSchema schema;
    private final YAMLMapper yaml = new YAMLMapper();

    @BeforeAll
    static void loadSchema() throws IOException {
        try (InputStream in = RouteSchemaTest.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            assertThat(in).as("schema/camelYamlDsl.json in the camel-yaml-dsl jar").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(new ObjectMapper().readTree(in));
        }
    }

    @Test
    void everyRouteFileValidatesAgainstTheCamelYamlDslSchema() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String folder : new String[] {"routes", "src/test/resources/test-routes",
                "src/test/resources/cluster-routes"}) {
            try (Stream<Path> listing = Files.list(Path.of(folder))) {
                listing.filter(p -> p.toString().endsWith(".camel.yaml")).forEach(files::add);
            }
        }
        assertThat(files).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            problems.addAll(problems(file.toString(), yaml.readTree(file.toFile())));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyRouteExampleInTheDocsValidatesToo() throws IOException {
        List<String> problems = new ArrayList<>();
        int examples = 0;
        for (Path doc : List.of(Path.of("README.md"), Path.of("src/docs/writing-integrations.md"))) {
            Matcher block = YAML_BLOCK.matcher(Files.readString(doc));
            while (block.find()) {
                String text = block.group(1);
                if (!text.stripLeading().startsWith("- route") && !text.stripLeading().startsWith("- from")
                        && !text.stripLeading().startsWith("- routeConfiguration")) {
                    continue; // configuration, not a route
                }
                examples++;
                problems.addAll(problems(doc + " example " + examples, yaml.readTree(text)));
            }
        }
        assertThat(problems).isEmpty();
    }

    private static List<String> problems(String where, JsonNode document) {
        Set<ValidationMessage> messages = schema.validate(document);
        return messages.stream().map(m -> where + ": " + m.getMessage()).sorted().collect(Collectors.toList());
    }
}
