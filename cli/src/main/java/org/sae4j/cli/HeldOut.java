package org.sae4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.sae4j.activations.ActivationSource;
import org.sae4j.activations.FiniteRows;
import org.sae4j.activations.NonFinite;
import org.sae4j.activations.NonFiniteRowException;
import org.sae4j.activations.SourceConfig;
import org.sae4j.activations.SyntheticSuperposition;
import org.sae4j.formats.BadInputException;

/**
 * Where a trained SAE is evaluated. Synthetic data: rows from far beyond anything trained on (position 2^40 of the
 * same stream, so the same true features), with the ground truth. Files: {@code --eval-data} if given, else the
 * training files in another shuffle order (said plainly in the description: not held out). A live model:
 * {@code --eval-text} if given, else the training text in another order (said plainly too).
 */
record HeldOut(SourceConfig config, long startPosition, String description) {
    static final long SYNTHETIC_HELD_OUT_POSITION = 1L << 40;
    /** A stop on a NaN/Inf activation row, with the option that skips such rows named; other errors as they are. */
    static BadInputException withSkipHint(BadInputException e) {
        return e instanceof NonFiniteRowException
                ? new BadInputException(e.getMessage() + " (--non-finite-inputs skip drops such rows)", e)
                : e;
    }

    static HeldOut of(SourceConfig training, JsonNode run) {
        if (training instanceof SourceConfig.Synthetic) {
            return new HeldOut(training, SYNTHETIC_HELD_OUT_POSITION,
                    "held-out synthetic vectors (rows from 2^40 on)");
        }
        if (training instanceof SourceConfig.Model model) {
            JsonNode evalText = run.path("eval_text");
            if (!evalText.isNull() && !evalText.isMissingNode()) {
                return new HeldOut(model.withText(evalText.asText(), model.seed()), 0, evalText.asText());
            }
            return new HeldOut(model.withText(model.text(), model.seed() + 1), 0, model.text()
                    + " in another order (the training text: pass --eval-text for held-out text)");
        }
        SourceConfig.Files files = (SourceConfig.Files) training;
        JsonNode evalData = run.path("eval_data");
        if (!evalData.isNull() && !evalData.isMissingNode()) {
            return new HeldOut(new SourceConfig.Files(evalData.asText(), files.dataset(), files.shuffleBufferRows(),
                    files.seed()), 0, evalData.asText());
        }
        return new HeldOut(new SourceConfig.Files(files.path(), files.dataset(), files.shuffleBufferRows(),
                files.seed() + 1), 0, files.path() + " (the training data: pass --eval-data for held-out data)");
    }

    /**
     * Opens several held-out sources; live-model ones that differ only in hook point share one model pass (read one
     * after another, they find the blocks the first one computed still cached).
     */
    static List<ActivationSource> openAll(List<HeldOut> all, NonFinite policy) throws IOException {
        List<SourceConfig.Model> models = new ArrayList<>();
        for (HeldOut h : all) {
            if (h.config() instanceof SourceConfig.Model m && h.startPosition() == 0) {
                models.add(m);
            }
        }
        if (all.size() > 1 && models.size() == all.size()) {
            return new ArrayList<>(SourceConfig.Model.openShared(models));
        }
        List<ActivationSource> out = new ArrayList<>();
        for (HeldOut h : all) {
            out.add(h.open(policy));
        }
        return out;
    }

    ActivationSource open() throws IOException {
        return open(NonFinite.STOP);
    }

    /** Opens the held-out stream at its start, NaN/Inf rows stopping the evaluation or skipped as {@code policy}. */
    FiniteRows open(NonFinite policy) throws IOException {
        FiniteRows s = new FiniteRows(config.openUnfiltered(), policy);
        s.seek(startPosition);
        return s;
    }

    /** [nFeatures, dIn] true features of a synthetic source, else null. */
    float[] groundTruth() {
        return config instanceof SourceConfig.Synthetic synthetic
                ? new SyntheticSuperposition(synthetic.config()).groundTruth() : null;
    }
}
