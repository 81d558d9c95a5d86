package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    @Test
    void greedyContinuationMatchesLlama2cTokenForToken() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(
                SharedData.file("reference-greedy-once-upon-a-time.json").toFile());
        int[] expected = ints(ref.get("ids"));
        Generator generator = new Generator(SharedData.model(), SharedData.tokenizer());

        Generation g = generator.generate(ref.get("prompt").asText(), ref.get("steps").asInt(),
                new Sampler(0f, 0.9f, 0));

        assertArrayEquals(expected, g.ids(), "greedy ids differ from llama2.c's");
        assertEquals(ref.get("text").asText(), g.text());
    }

    @Test
    void samplingIsDeterministicGivenTheSeedAndDiffersAcrossSeeds() {
        Generator generator = new Generator(SharedData.model(), SharedData.tokenizer());
        Generation a = generator.generate("Once upon a time", 40, new Sampler(1.0f, 0.9f, 7));
        Generation b = generator.generate("Once upon a time", 40, new Sampler(1.0f, 0.9f, 7));
        Generation c = generator.generate("Once upon a time", 40, new Sampler(1.0f, 0.0f, 8));
        assertArrayEquals(a.ids(), b.ids());
        assertTrue(!java.util.Arrays.equals(a.ids(), c.ids()), "different seeds and samplers gave the same text");
        assertTrue(a.text().startsWith("Once upon a time"), a.text());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
