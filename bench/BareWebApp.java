package bench;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The footprint's yardstick (bench/run.sh, scenario "ingest"): the smallest Spring Boot web
 * application with the actuator, on the Spring Boot, Tomcat, Jackson and logging jars of
 * Switchboard's own build and nothing else (in a package of its own: component scanning
 * stays inside it), started with the same JVM options (and its own
 * class data sharing archive when the run uses one). Switchboard's time to healthy is reported
 * as a ratio to this one's: absolute start times differ two to three times between machines.
 */
@SpringBootApplication
@RestController
public class BareWebApp {

    @GetMapping("/")
    String hello() {
        return "ok";
    }

    public static void main(String[] args) {
        SpringApplication.run(BareWebApp.class, args);
    }
}
