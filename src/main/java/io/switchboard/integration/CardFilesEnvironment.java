package io.switchboard.integration;

import java.nio.file.Path;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Reads {@code routes/*.card.yaml} at start, after config (which names the routes folder as
 * {@code switchboard.routes.directory}) and before anything binds the cards. A card file that
 * cannot be read stops the start, naming the file, as a broken route file does.
 */
class CardFilesEnvironment implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Path folder = Path.of(environment.getProperty("switchboard.routes.directory", "routes"));
        try {
            CardFiles.install(environment, CardFiles.readAll(folder));
        } catch (IllegalArgumentException broken) {
            throw new IllegalStateException("card file " + folder + "/" + broken.getMessage(), broken);
        }
    }

    @Override
    public int getOrder() {
        // right after config data, before anything that reads the cards from the environment
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }
}
