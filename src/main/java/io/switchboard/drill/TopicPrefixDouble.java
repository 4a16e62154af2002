package io.switchboard.drill;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.switchboard.connect.SystemDouble;

/**
 * An mqtt or nats connection's double: no broker of these kinds runs in this process, so the
 * drill uses the connection's own broker under a topic prefix of its own, which nothing else
 * publishes to or reads ({@code switchboard-drill/<marker>/<connection>/<topic>}, or with dots
 * for a NATS subject). The calls reach the broker through a {@link TcpFaultProxy}, and a
 * subscriber of the drill's own (straight to the broker) keeps what arrives under the prefix to
 * count the effects; it unsubscribes when the drill ends. Nothing a real subscriber reads is
 * published, but the messages do pass through the real broker.
 */
abstract class TopicPrefixDouble implements DrillDouble {

    /** One message that arrived under the prefix: its topic below the prefix, its id, its body. */
    record Received(String topic, String messageId, byte[] body) {

        boolean names(String instance) {
            return (messageId != null && messageId.contains(instance))
                    || new String(body, StandardCharsets.UTF_8).contains(instance);
        }
    }

    /** How long {@link #effects} waits for the messages published before it to arrive. */
    private static final long SETTLE_MILLIS = 5_000;
    /** Below the prefix, the topic of the subscriber's own marker messages (never a route's). */
    static final String SETTLED = "settled";

    final String connection;
    final String prefix;
    final TcpFaultProxy proxy;
    private final String separator;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> settling = new ConcurrentHashMap<>();

    TopicPrefixDouble(String connection, String prefix, String separator, TcpFaultProxy proxy) {
        this.connection = connection;
        this.prefix = prefix;
        this.separator = separator;
        this.proxy = proxy;
    }

    /** A proxy in front of the broker of {@code url} (its host and port, the scheme's default port else). */
    static TcpFaultProxy proxyFor(String url, int defaultPort) throws IOException {
        URI broker = URI.create(url);
        return new TcpFaultProxy(broker.getHost(), broker.getPort() > 0 ? broker.getPort() : defaultPort);
    }

    /** {@code url} with its host and port replaced by the proxy's. */
    static String throughProxy(String url, TcpFaultProxy proxy) {
        return URI.create(url).getScheme() + "://127.0.0.1:" + proxy.port();
    }

    /** A message arrived on {@code topic} (the whole topic, prefix included). */
    void arrived(String topic, String messageId, byte[] body) {
        String below = topic.startsWith(prefix + separator) ? topic.substring(prefix.length() + separator.length())
                : topic;
        if (below.startsWith(SETTLED + separator)) {
            CountDownLatch settled = settling.remove(below.substring(SETTLED.length() + separator.length()));
            if (settled != null) {
                settled.countDown();
            }
            return;
        }
        received.add(new Received(below, messageId, body == null ? new byte[0] : body));
    }

    /**
     * Publishes a marker message under the prefix with the subscriber's own client: the broker
     * hands it on after every message it took before, so once it is back they are all here.
     */
    abstract void publishSettled(String topic) throws Exception;

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public TcpFaultProxy proxy() {
        return proxy;
    }

    @Override
    public SystemDouble clients() {
        return SystemDouble.topicPrefix(throughProxyUrl(), prefix);
    }

    /** Where the calls connect: the proxy, with the connection's scheme. */
    abstract String throughProxyUrl();

    /** Messages whose body or message id names {@code instance}, by topic below the prefix. */
    @Override
    public Map<String, Integer> effects(String instance) {
        settle();
        Map<String, Integer> effects = new TreeMap<>();
        for (Received message : received) {
            if (message.names(instance)) {
                effects.merge(connection + " message to " + message.topic(), 1, Integer::sum);
            }
        }
        return effects;
    }

    private void settle() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        CountDownLatch settled = new CountDownLatch(1);
        settling.put(id, settled);
        try {
            publishSettled(prefix + separator + SETTLED + separator + id);
            if (!settled.await(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the drill's subscriber under " + prefix + " on " + connection
                        + "'s broker heard nothing back within " + SETTLE_MILLIS + " ms");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + connection + "'s double", interrupted);
        } catch (Exception unreachable) {
            throw new IllegalStateException("the drill's subscriber under " + prefix + " on " + connection
                    + "'s broker could not read: " + unreachable.getMessage(), unreachable);
        } finally {
            settling.remove(id);
        }
    }
}
