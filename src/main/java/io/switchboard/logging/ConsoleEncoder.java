package io.switchboard.logging;

import java.nio.charset.Charset;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import org.springframework.boot.logging.logback.StructuredLogEncoder;

/**
 * The console's encoder: Spring Boot's text pattern (with the one-line converters of
 * {@code logback-spring.xml}) by default, or Spring Boot's structured JSON when
 * {@code logging.structured.format.console} names a format ({@code ecs}, {@code logstash},
 * {@code gelf}). Logback has no conditions without extra libraries, so the switch is made
 * here, once, at start. In JSON every value is escaped by the format itself, and the MDC
 * (event id, integration, route, outcome, duration, attempt, node) become fields.
 */
public class ConsoleEncoder extends EncoderBase<ILoggingEvent> {

    private String pattern;
    private String structuredFormat;
    private Charset charset = Charset.defaultCharset();
    private Encoder<ILoggingEvent> delegate;

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    public void setStructuredFormat(String structuredFormat) {
        this.structuredFormat = structuredFormat;
    }

    public void setCharset(Charset charset) {
        this.charset = charset;
    }

    /** True when the lines are JSON. */
    public boolean structured() {
        return structuredFormat != null && !structuredFormat.isBlank();
    }

    @Override
    public void start() {
        if (structured()) {
            StructuredLogEncoder json = new StructuredLogEncoder();
            json.setFormat(structuredFormat.trim());
            json.setCharset(charset);
            delegate = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            text.setCharset(charset);
            delegate = text;
        }
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
