package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every message that sends a person to the docs sends them somewhere that exists: the
 * server's strings name {@code README.md#anchor} or {@code writing-integrations.md#anchor}
 * (GitHub's anchors of the headings), {@code See README.md, <Section>} or
 * {@code <doc>.md, section <n>}; each file must exist and hold that heading.
 */
class DocLinksTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern ANCHOR = Pattern.compile("([\\w./-]*\\.md)#([\\w-]+)");
    private static final Pattern NAMED = Pattern.compile("[Ss]ee ([\\w./-]*\\.md), ([A-Z][\\w ]*[\\w])");
    private static final Pattern NUMBERED = Pattern.compile("([\\w./-]*\\.md), section (\\d+)");

    @Test
    void everyDocReferenceInTheServersMessagesNamesAnExistingSection() throws IOException {
        List<String> references = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                // "See README.md, " + "Configuration": joined as the reader sees it
                String text = Files.readString(file).replaceAll("\"\\s*\\+\\s*\"", "");
                check(file, text, ANCHOR, (doc, anchor) -> anchors(doc).contains(anchor), references, broken);
                check(file, text, NAMED, (doc, title) -> titles(doc).contains(title.toLowerCase(Locale.ROOT)),
                        references, broken);
                check(file, text, NUMBERED, (doc, n) -> titles(doc).stream().anyMatch(t -> t.startsWith(n + ". ")),
                        references, broken);
            }
        }
        assertThat(references).as("the scan finds the messages' doc references").isNotEmpty();
        assertThat(broken).as("doc references whose file or section does not exist").isEmpty();
    }

    @Test
    void anchorsAreGitHubs() {
        assertThat(anchor("## 4. The route (`routes/<id>.camel.yaml`)")).isEqualTo("4-the-route-routesidcamelyaml");
        assertThat(anchor("### Webhook secrets")).isEqualTo("webhook-secrets");
        assertThat(anchor("## Connections: calling other systems")).isEqualTo("connections-calling-other-systems");
    }

    private interface Exists {
        boolean test(Path doc, String what) throws IOException;
    }

    private static void check(Path file, String text, Pattern pattern, Exists exists, List<String> references,
            List<String> broken) throws IOException {
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            String reference = file.getFileName() + ": " + matcher.group();
            references.add(reference);
            Path doc = doc(matcher.group(1));
            if (doc == null || !exists.test(doc, matcher.group(2))) {
                broken.add(reference);
            }
        }
    }

    /** README.md at the top, any other doc under src/docs/, whether or not the message gives the folder. */
    private static Path doc(String name) {
        Path direct = Path.of(name);
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        Path docs = Path.of("src/docs").resolve(direct.getFileName());
        return Files.isRegularFile(docs) ? docs : null;
    }

    private static List<String> headings(Path doc) throws IOException {
        List<String> headings = new ArrayList<>();
        boolean code = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.startsWith("```")) {
                code = !code;
            } else if (!code && line.matches("#{1,6} .*")) {
                headings.add(line);
            }
        }
        return headings;
    }

    private static Set<String> anchors(Path doc) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        headings(doc).forEach(heading -> anchors.add(anchor(heading)));
        return anchors;
    }

    private static Set<String> titles(Path doc) throws IOException {
        Set<String> titles = new LinkedHashSet<>();
        headings(doc).forEach(heading -> titles.add(heading.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)));
        return titles;
    }

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
    static String anchor(String heading) {
        return heading.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
