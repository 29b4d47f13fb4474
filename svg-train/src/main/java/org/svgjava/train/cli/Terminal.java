package org.svgjava.train.cli;

import org.svgjava.train.report.Progress;

/** What the commands draw on: a progress bar on stderr when a person is watching, log lines otherwise. */
final class Terminal {
    private Terminal() {
    }

    static Progress.Display progress() {
        return Progress.on(System.console() != null ? System.err : null);
    }
}
