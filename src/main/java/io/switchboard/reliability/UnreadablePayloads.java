package io.switchboard.reliability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.jayway.jsonpath.InvalidJsonException;
import com.jayway.jsonpath.PathNotFoundException;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.ValidationException;
import org.springframework.amqp.support.converter.MessageConversionException;
import org.xml.sax.SAXParseException;

/**
 * A payload the route cannot read: JSON that does not parse (Jackson, a jq or JSONPath
 * expression over a body that is not JSON or lacks the path), XML that does not parse, a body
 * Camel cannot convert, or a validation that fails. The same bytes fail the same way on every
 * attempt, so these are {@code invalid-data}, never retried. Jackson's parse errors are
 * {@code IOException}s: without this they would pass for an outage and be retried.
 */
final class UnreadablePayloads {

    private UnreadablePayloads() {
    }

    /** The category of one exception in a failure's chain, or null when it is not about the payload. */
    static ErrorCategory of(Throwable cause) {
        if (cause instanceof InvalidDefinitionException) {
            return ErrorCategory.BUG; // a Java type Jackson cannot map: the route's or bean's fault, not the data's
        }
        if (cause instanceof JsonProcessingException || cause instanceof InvalidJsonException
                || cause instanceof PathNotFoundException || cause instanceof SAXParseException
                || cause instanceof InvalidPayloadException || cause instanceof ValidationException
                || cause instanceof MessageConversionException || cause instanceof InvalidDataException) {
            return ErrorCategory.INVALID_DATA;
        }
        return null;
    }
}
