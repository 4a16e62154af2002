import java.util.concurrent.CountDownLatch;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * The queue scenario's ceiling (bench/run.sh, scenario "queue"): a plain Camel route that
 * consumes the queue with camel-spring-rabbitmq and makes the relay's call, the same jq mapping
 * and the same POST, with nothing stored (no inbox, no journal; the message is acknowledged
 * when the call returned, Camel's default). Runs on the jars of Switchboard's own build (its
 * BOOT-INF/lib) plus camel-spring-rabbitmq of the same Camel version:
 *
 * <pre>
 * java -cp 'lib/*' bench/QueueCeiling.java AMQP_HOST AMQP_PORT VHOST USER QUEUE TARGET_URL CONSUMERS
 * </pre>
 *
 * The password comes from the environment (QUEUE_CEILING_PASSWORD). CONSUMERS is the number of
 * calls in flight (concurrent consumers), as many as Switchboard's inbox consumers in the
 * scenario. Prints "queue ceiling consuming" once the consumers are up; runs until killed.
 */
public class QueueCeiling {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String vhost = args[2];
        String user = args[3];
        String queue = args[4];
        String target = args[5];
        int consumers = Integer.parseInt(args[6]);
        CachingConnectionFactory broker = new CachingConnectionFactory(host, port);
        broker.setVirtualHost(vhost);
        broker.setUsername(user);
        broker.setPassword(System.getenv().getOrDefault("QUEUE_CEILING_PASSWORD", "guest"));
        CamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("broker", broker);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // Enough pooled connections for every consumer's call (camel-http allows 20 per host by default).
                getContext().getComponent("http", HttpComponent.class)
                        .setConnectionsPerRoute(consumers);
                from("spring-rabbitmq:default?queues=" + queue + "&connectionFactory=#broker&autoDeclare=false"
                        + "&concurrentConsumers=" + consumers)
                        .routeId("queue-ceiling")
                        .transform().jq("{id: .submissionId, email, name: ([.firstName, .lastName] | map(values) | join(\" \"))}")
                        .marshal().json()
                        .removeHeaders("*")
                        .setHeader("CamelHttpMethod", constant("POST"))
                        .setHeader("Content-Type", constant("application/json"))
                        .to(target);
            }
        });
        camel.start();
        System.out.println("queue ceiling consuming " + queue + " with " + consumers + " consumers");
        Runtime.getRuntime().addShutdownHook(new Thread(camel::stop));
        new CountDownLatch(1).await();
    }
}
