package org.sae4j.activations.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sae4j.formats.BadInputException;

class Llama2cCheckpointTest {

    @Test
    void readsStories260kHeader() throws IOException {
        Path file = SharedData.file("stories260K.bin");
        LlamaConfig c = Llama2cCheckpoint.readConfig(file);
        assertEquals(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, true), c);
        assertEquals(Files.size(file), Llama2cCheckpoint.expectedBytes(c));
    }

    @Test
    void truncatedFileIsBadInput(@TempDir Path tmp) throws IOException {
        byte[] full = Files.readAllBytes(SharedData.file("stories260K.bin"));
        Path cut = tmp.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(full, full.length / 2));
        assertOneLineBadInput(cut, "cut.bin");
        Files.write(cut, Arrays.copyOf(full, 10));
        assertOneLineBadInput(cut, "too short");
    }

    @Test
    void lyingHeaderIsBadInputNotOutOfMemory(@TempDir Path tmp) throws IOException {
        byte[] full = Files.readAllBytes(SharedData.file("stories260K.bin"));
        Path liar = tmp.resolve("liar.bin");
        ByteBuffer header = ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, 1 << 30); // dim: the arrays it implies would be exabytes
        header.putInt(4, 1 << 30);
        header.putInt(12, 1 << 20);
        header.putInt(16, 1 << 20);
        Files.write(liar, full);
        assertOneLineBadInput(liar, "impossibly large");
        header.putInt(0, 64).putInt(4, 172).putInt(12, 8).putInt(16, 4).putInt(20, -512); // claims its own classifier
        Files.write(liar, full);
        assertOneLineBadInput(liar, "1187612 bytes");
        header.putInt(20, 512).putInt(12, 7); // 64 % 7 != 0
        Files.write(liar, full);
        assertOneLineBadInput(liar, "not a multiple");
    }

    private static void assertOneLineBadInput(Path file, String mustContain) {
        BadInputException e = assertThrows(BadInputException.class, () -> Llama2cCheckpoint.load(file));
        assertTrue(e.getMessage().contains(mustContain), () -> "message lacks '" + mustContain + "': " + e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line: " + e.getMessage());
    }

    @Test
    void configValidatesItself() {
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(0, 1, 1, 1, 1, 1, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(64, 172, 5, 8, 3, 512, 512, true));
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(24, 172, 5, 8, 4, 512, 512, true));
        assertEquals(16, new LlamaConfig(64, 172, 5, 8, 2, 512, 512, true).kvDim());
    }
}
