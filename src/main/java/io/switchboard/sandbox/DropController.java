package io.switchboard.sandbox;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The drop folders' API under {@code /sandbox/drop}: drop a file as a partner would (the request
 * body is its content), and list the files still waiting in a folder. Operators only.
 */
@SandboxEnabled
@RestController
class DropController {

    private final ObjectProvider<SandboxDropFolder> drop;

    DropController(ObjectProvider<SandboxDropFolder> drop) {
        this.drop = drop;
    }

    @PostMapping("/sandbox/drop/{folder}/files/{name}")
    ResponseEntity<SandboxDropFolder.DroppedFile> put(@PathVariable String folder, @PathVariable String name,
            @RequestBody byte[] content) throws Exception {
        SandboxAccess.requireOperator();
        return ResponseEntity.status(HttpStatus.CREATED).body(StandInsOff.require(drop, "drop").drop(folder, name,
                content));
    }

    @GetMapping("/sandbox/drop/{folder}/files")
    List<SandboxDropFolder.DroppedFile> list(@PathVariable String folder) throws Exception {
        SandboxAccess.requireOperator();
        return StandInsOff.require(drop, "drop").list(folder);
    }
}
