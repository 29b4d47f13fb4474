package org.svgjava.examples;

import org.svgjava.train.cli.SvgCommand;

/** {@code java -jar svg-examples.jar <command>}: the {@code svg} command line ({@code demo} is the main job). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(SvgCommand.execute(args.length == 0 ? new String[] {"demo"} : args));
    }
}
