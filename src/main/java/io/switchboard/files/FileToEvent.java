package io.switchboard.files;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.FileConstants;

/**
 * Turns a file camel-file picked up into what {@link io.switchboard.source.SourceIntake} stores.
 * The payload is the file's content as it is: every file the card's {@code include} matches
 * becomes an event, whether or not its content is what the route expects, since parsing is the
 * route's business and a bad file then shows in the journal as a parked event with its content,
 * rather than as a file nobody looks at. Content that is not UTF-8 text is stored in base64 (with
 * header {@code file-encoding: base64}), since the inbox keeps text. The delivery id is
 * {@code file:<relative name>:<size>:<last modified>:<sha256 of content>}: the same file dropped
 * again is a duplicate, a changed file under the same name is a new event.
 */
final class FileToEvent implements Processor {

    static final String DELIVERY_ID = "SwitchboardFileDeliveryId";
    static final String HEADERS = "SwitchboardFileHeaders";

    /** The inbox's delivery_id column holds 200 characters. */
    static final int MAX_ID_LENGTH = 200;

    @Override
    public void process(Exchange exchange) {
        GenericFile<?> file = exchange.getIn().getBody(GenericFile.class);
        String name = exchange.getIn().getHeader(FileConstants.FILE_NAME, String.class);
        byte[] content = exchange.getIn().getBody(byte[].class);
        long size = content.length;
        // Read now, not as listed: the read lock waited for the writer, the listing did not.
        long modified = file != null && file.getFile() instanceof File onDisk ? onDisk.lastModified()
                : exchange.getIn().getHeader(FileConstants.FILE_LAST_MODIFIED, 0L, Long.class);
        String digest = sha256(content);
        exchange.setProperty(DELIVERY_ID, deliveryId(name, size, modified, digest));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("file-name", name);
        headers.put("file-size", Long.toString(size));
        headers.put("file-modified", Instant.ofEpochMilli(modified).toString());
        headers.put("file-sha256", digest);
        String text = utf8(content);
        if (text == null) {
            headers.put("file-encoding", "base64");
            exchange.getMessage().setBody(Base64.getEncoder().encode(content));
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/octet-stream");
        } else {
            exchange.getMessage().setBody(content);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType(name));
        }
        exchange.setProperty(HEADERS, headers);
    }

    /** The id, with a long name shortened (a digest of it kept) so the whole fits the inbox's column. */
    static String deliveryId(String relativeName, long size, long modified, String sha256) {
        String name = relativeName.replace(File.separatorChar, '/');
        String rest = ":" + size + ":" + modified + ":" + sha256;
        String id = "file:" + name + rest;
        if (id.length() <= MAX_ID_LENGTH) {
            return id;
        }
        String nameDigest = "~" + sha256(name.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        int keep = MAX_ID_LENGTH - "file:".length() - rest.length() - nameDigest.length();
        return "file:" + name.substring(0, Math.max(0, keep)) + nameDigest + rest;
    }

    private static String utf8(byte[] content) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException notText) {
            return null;
        }
    }

    private static String contentType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json")) {
            return "application/json";
        }
        if (lower.endsWith(".xml")) {
            return "application/xml";
        }
        if (lower.endsWith(".csv")) {
            return "text/csv";
        }
        return "text/plain";
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }
}
