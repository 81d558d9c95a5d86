package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sae4j.trainer.TrainConfig;

/** Flags and the embedded defaults agree key for key, so every flag reaches the config it names. */
class TrainSettingsTest {
    @Test
    void everyFlagNamesADefaultKey() {
        ObjectNode defaults = TrainSettings.defaults();
        for (TrainSettings.Flag f : TrainSettings.FLAGS) {
            assertTrue(defaults.path(f.section()).has(f.key()),
                    "--" + f.name() + " sets " + f.section() + "." + f.key() + ", which the defaults lack");
        }
    }

    @Test
    void everyTrainConfigKeyHasAFlag() {
        Set<String> flagged = new HashSet<>();
        TrainSettings.FLAGS.stream().filter(f -> f.section().equals("train")).forEach(f -> flagged.add(f.key()));
        TrainSettings.SNAKE.valueToTree(TrainConfig.defaults()).fieldNames().forEachRemaining(key ->
                assertTrue(flagged.contains(key), "train." + key + " has no flag"));
    }

    @Test
    void aFlagOverridesTheDefaultInTheResolvedConfig() {
        TrainConfig parsed = TrainSettings.trainConfig(
                ((ObjectNode) TrainSettings.defaults().get("train")).put("aux_k_coefficient", 0.25));
        assertEquals(0.25, parsed.auxKCoefficient(), 0.0);
    }
}
