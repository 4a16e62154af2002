package io.switchboard.connect;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.springframework.mail.javamail.JavaMailSender;

/**
 * What stands in for a connection's system while a drill runs, as its client: a scratch
 * database's DataSource (jdbc), a mail sender to a throwaway mail server (mail), a temporary
 * folder (file). Only the field of the connection's kind is set. The drill makes it, reads its
 * effects and cuts it off ({@code io.switchboard.drill}); {@link SystemDoubles} routes the calls.
 */
public record SystemDouble(DataSource dataSource, JavaMailSender mailSender, Path folder) {

    public static SystemDouble database(DataSource dataSource) {
        return new SystemDouble(dataSource, null, null);
    }

    public static SystemDouble mailServer(JavaMailSender sender) {
        return new SystemDouble(null, sender, null);
    }

    public static SystemDouble folder(Path folder) {
        return new SystemDouble(null, null, folder);
    }
}
