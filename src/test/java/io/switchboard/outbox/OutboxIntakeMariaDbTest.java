package io.switchboard.outbox;

import org.junit.jupiter.api.AfterAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The outbox example on the machine's MariaDB (char(36) id, json payload), in a database of its own. */
class OutboxIntakeMariaDbTest extends OutboxIntakeContract {

    private static ShopDatabase shop;

    @DynamicPropertySource
    static void ownDatabase(DynamicPropertyRegistry registry) throws Exception {
        shop = ShopDatabase.mariaDb();
        registry.add("switchboard.connections.shop-db.url", () -> shop.url);
        registry.add("switchboard.connections.shop-db.username", () -> shop.user);
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (shop != null) {
            shop.close();
        }
    }

    @Override
    ShopDatabase shop() {
        return shop;
    }
}
