package org.svgjava.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts printed in the authors' training logs (XXL: counted from the shapes; it was never logged). */
class SiTConfigTest {
    @ParameterizedTest
    @CsvSource({"S, 33400336", "B, 131382544", "L, 459264784", "XL, 676437904", "XXL, 952705296"})
    void parameterCountsMatchTheOfficialModels(String size, long expected) {
        SiTConfig cfg = switch (size) {
            case "S" -> SiTConfig.S();
            case "B" -> SiTConfig.B();
            case "L" -> SiTConfig.L();
            case "XL" -> SiTConfig.XL();
            default -> SiTConfig.XXL();
        };
        assertThat(new SiT(cfg).declaredNumel()).isEqualTo(expected);
    }
}
