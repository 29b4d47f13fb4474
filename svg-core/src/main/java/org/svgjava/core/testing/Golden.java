package org.svgjava.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.WeightFileException;

/**
 * The outputs of the official PyTorch code that tests compare against, found on the class path under
 * {@code golden/} (svg-core's test resources, which the other modules add to theirs).
 */
public final class Golden {
    private Golden() {
    }

    /** A golden file as a path ({@code Golden.path("svg_dit_tiny/io.safetensors")}). */
    public static Path path(String relative) {
        String res = "golden/" + relative;
        URL url = Thread.currentThread().getContextClassLoader().getResource(res);
        if (url == null) {
            throw new IllegalStateException("golden file " + res + " is not on the test class path");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            // inside a jar: weight readers want a real file, so copy it out once
            Path tmp = Files.createTempFile("golden-", "-" + Path.of(relative).getFileName());
            tmp.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SafeTensors.Contents safetensors(String relative) throws WeightFileException {
        return SafeTensors.read(path(relative));
    }
}
