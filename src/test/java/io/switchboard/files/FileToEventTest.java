package io.switchboard.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The file trigger's delivery id: name, size, time and digest, always within the inbox's column. */
class FileToEventTest {

    private static final String DIGEST = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void theIdNamesTheFileItsSizeTimeAndDigest() {
        assertThat(FileToEvent.deliveryId("order-1.json", 42, 1_765_000_000_000L, DIGEST))
                .isEqualTo("file:order-1.json:42:1765000000000:" + DIGEST);
    }

    @Test
    void aLongNameIsShortenedWithADigestOfItSoTheIdFitsAndStaysDistinct() {
        String longName = "x".repeat(250) + "-a.json";
        String otherLongName = "x".repeat(250) + "-b.json";

        String id = FileToEvent.deliveryId(longName, 42, 1L, DIGEST);
        String other = FileToEvent.deliveryId(otherLongName, 42, 1L, DIGEST);

        assertThat(id).hasSizeLessThanOrEqualTo(FileToEvent.MAX_ID_LENGTH).startsWith("file:xxx").endsWith(":42:1:"
                + DIGEST);
        assertThat(other).hasSizeLessThanOrEqualTo(FileToEvent.MAX_ID_LENGTH).isNotEqualTo(id);
    }
}
