package org.svgjava.train.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --help} of every subcommand explains every option and parameter and names its default: picocli's
 * {@code ${DEFAULT-VALUE}} where the option has one, and for a flag that overrides a YAML key, the key and the
 * default that the built-in YAML really holds.
 */
class HelpTest {
    /** "(model.params.depth; default 28)" or "(a.b and c.d; default 256)". */
    private static final Pattern YAML_KEY = Pattern.compile("\\(([\\w.]+(?: and [\\w.]+)*); default ([^)]+)\\)");

    private static final Map<String, String> YAML_DEFAULTS = Map.of(
            "train-diffusion", DiffusionYaml.DEFAULTS,
            "train-autoencoder", AutoencoderYaml.DEFAULTS,
            "encode", AutoencoderYaml.DEFAULTS,
            "reconstruct", AutoencoderYaml.DEFAULTS);

    @Test
    void everySubcommandExplainsEveryOptionWithItsDefault() throws Exception {
        CommandLine svg = new CommandLine(new SvgCommand());
        List<String> problems = new ArrayList<>();
        int yamlKeys = 0;
        for (Map.Entry<String, CommandLine> e : svg.getSubcommands().entrySet()) {
            String name = e.getKey();
            if (name.equals("help")) {
                continue;
            }
            String usage = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
            assertThat(usage).as(name).startsWith("Usage: svg " + name);
            JsonNode yaml = YAML_DEFAULTS.containsKey(name) ? YamlConfig.YAML.readTree(YAML_DEFAULTS.get(name)) : null;
            List<ArgSpec> args = new ArrayList<>(e.getValue().getCommandSpec().options());
            args.addAll(e.getValue().getCommandSpec().positionalParameters());
            for (ArgSpec a : args) {
                String label = name + " " + (a instanceof OptionSpec o ? o.longestName() : a.paramLabel());
                String description = String.join(" ", a.description()).trim();
                if (description.isEmpty()) {
                    problems.add(label + ": no description");
                    continue;
                }
                if (a.defaultValue() != null && !usage.contains("default: " + a.defaultValue() + ")")) {
                    problems.add(label + ": default " + a.defaultValue() + " not in its help");
                }
                Matcher m = YAML_KEY.matcher(description);
                if (m.find()) {
                    yamlKeys++;
                    if (yaml == null) {
                        problems.add(label + ": names a YAML key but the command has no YAML");
                        continue;
                    }
                    for (String key : m.group(1).split(" and ")) {
                        JsonNode v = yaml.at("/" + key.replace('.', '/'));
                        if (v.isMissingNode()) {
                            problems.add(label + ": no key " + key + " in the built-in YAML");
                        } else if (!sameValue(v, m.group(2))) {
                            problems.add(label + ": help says default " + m.group(2) + ", the YAML has " + v);
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(yamlKeys).as("flags over YAML keys checked").isGreaterThan(20);
    }

    private static boolean sameValue(JsonNode yaml, String stated) {
        if (yaml.isNull() || yaml.asText().isEmpty()) {
            return stated.equals("none");
        }
        if (yaml.isNumber()) {
            try {
                return yaml.asDouble() == Double.parseDouble(stated);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return yaml.asText().equals(stated);
    }
}
