package org.sae4j.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The build chosen from real CPUs' {@code /proc/cpuinfo} flags, and how an explicit property is respected. */
class Nd4jNativesTest {
    /** AMD Zen 5 (EPYC, under a hypervisor): the machine the AVX-512 build was measured on. */
    private static final String ZEN5 = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep pge mca cmov pat pse36"
            + " clflush mmx fxsr sse sse2 ht syscall nx mmxext lm constant_tsc rep_good nopl xtopology tsc_reliable"
            + " nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe"
            + " popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cr8_legacy misalignsse"
            + " 3dnowprefetch topoext pti        vmmcall bmi1 avx2 bmi2 erms avx512f avx512dq adx avx512ifma"
            + " clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 avx_vnni avx512_bf16 clzero"
            + " xsaveerptr arat avx512vbmi avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg"
            + " avx512_vpopcntdq movdiri movdir64b fsrm avx512_vp2intersect";

    /** Intel Sapphire Rapids (Xeon 4th gen). */
    private static final String SAPPHIRE_RAPIDS = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge"
            + " mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm"
            + " constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf"
            + " tsc_known_freq pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid"
            + " dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm"
            + " 3dnowprefetch cpuid_fault epb cat_l3 cat_l2 cdp_l3 invpcid_single intel_ppin cdp_l2 ssbd mba ibrs ibpb"
            + " stibp ibrs_enhanced tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2"
            + " erms invpcid cqm rdt_a avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb intel_pt avx512cd"
            + " sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc split_lock_detect"
            + " avx_vnni avx512_bf16 wbnoinvd dtherm ida arat pln pts hfi vnmi avx512vbmi umip pku ospke waitpkg"
            + " avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme avx512_vpopcntdq la57 rdpid"
            + " bus_lock_detect cldemote movdiri movdir64b enqcmd fsrm md_clear serialize tsxldtrk pconfig arch_lbr"
            + " ibt amx_bf16 avx512_fp16 amx_tile amx_int8 flush_l1d arch_capabilities";

    /** Intel Haswell (Xeon E5 v3): AVX2, no AVX-512. */
    private static final String HASWELL = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov"
            + " pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc"
            + " arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor"
            + " ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt"
            + " tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm cpuid_fault epb invpcid_single pti"
            + " intel_ppin ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1"
            + " avx2 smep bmi2 erms invpcid cqm xsaveopt cqm_llc cqm_occup_llc dtherm ida arat pln pts md_clear"
            + " flush_l1d";

    /** AMD Zen 3 (EPYC Milan, under KVM): AVX2 with FMA and F16C, no AVX-512; the AVX2 build was measured on it. */
    private static final String ZEN3 = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat"
            + " pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good"
            + " nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1"
            + " sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy"
            + " cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext cpuid_fault vmmcall fsgsbase tsc_adjust"
            + " bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1"
            + " xsaves clzero xsaveerptr arat umip vaes vpclmulqdq rdpid fsrm";

    /** Intel Sandy Bridge: AVX, no AVX2. */
    private static final String SANDY_BRIDGE = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca"
            + " cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx rdtscp lm constant_tsc nopl pni pclmulqdq ssse3"
            + " cx16 sse4_1 sse4_2 x2apic popcnt aes xsave avx hypervisor lahf_lm";

    /** Intel Knights Landing (Xeon Phi 7210): AVX-512 F/CD/ER/PF but none of VL, BW, DQ. */
    private static final String KNIGHTS_LANDING = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge"
            + " mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm"
            + " constant_tsc arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq"
            + " dtes64 monitor ds_cpl vmx est tm2 ssse3 fma cx16 xtpr pdcm sse4_1 sse4_2 x2apic movbe popcnt"
            + " tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb pti"
            + " tpr_shadow vnmi flexpriority ept vpid fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms avx512f rdseed adx"
            + " avx512pf avx512er avx512cd xsaveopt dtherm ida arat pln pts";

    private static final Predicate<Nd4jNatives> ALL_SHIPPED = build -> true;
    private static final Predicate<Nd4jNatives> GENERIC_ONLY = build -> build == Nd4jNatives.GENERIC;

    static final String[] AVX512_FEATURES = Nd4jNatives.AVX512.features().toArray(String[]::new);
    static final String[] AVX2_FEATURES = Nd4jNatives.AVX2.features().toArray(String[]::new);

    @Test
    void aFullAvx512CpuGetsTheAvx512Build() {
        assertEquals(Nd4jNatives.AVX512, Nd4jNatives.forCpu(Optional.of(ZEN5), ALL_SHIPPED), "Zen 5");
        assertEquals(Nd4jNatives.AVX512, Nd4jNatives.forCpu(Optional.of(SAPPHIRE_RAPIDS), ALL_SHIPPED),
                "Sapphire Rapids");
    }

    @Test
    void anAvx2CpuGetsTheAvx2Build() {
        assertEquals(Nd4jNatives.AVX2, Nd4jNatives.forCpu(Optional.of(HASWELL), ALL_SHIPPED), "Haswell");
        assertEquals(Nd4jNatives.AVX2, Nd4jNatives.forCpu(Optional.of(ZEN3), ALL_SHIPPED), "Zen 3");
    }

    @Test
    void aCpuWithoutAvx2GetsTheGenericBuild() {
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.forCpu(Optional.of(SANDY_BRIDGE), ALL_SHIPPED), "Sandy Bridge");
    }

    @Test
    void aCpuWithSomeAvx512ButNotVlBwDqGetsTheAvx2Build() {
        assertEquals(Nd4jNatives.AVX2, Nd4jNatives.forCpu(Optional.of(KNIGHTS_LANDING), ALL_SHIPPED),
                "Knights Landing");
    }

    /** Where a wider build is not packaged, the next one down that is. */
    @Test
    void onlyPackagedBuildsAreChosen() {
        assertEquals(Nd4jNatives.AVX2, Nd4jNatives.forCpu(Optional.of(ZEN5), b -> b != Nd4jNatives.AVX512),
                "Zen 5 without the AVX-512 natives");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.forCpu(Optional.of(ZEN3), b -> b != Nd4jNatives.AVX2),
                "Zen 3 with only the AVX-512 and generic natives");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.forCpu(Optional.of(ZEN5), GENERIC_ONLY), "the tests' classpath");
    }

    /**
     * A hypervisor may hide one feature; libnd4jcpu's AVX-512 build would then refuse to start. Without avx or avx2
     * the AVX2 build would not start either.
     */
    @ParameterizedTest
    @FieldSource("AVX512_FEATURES")
    void missingAnyOneAvx512FeatureFallsBackToABuildThatStarts(String feature) {
        Nd4jNatives expected = Nd4jNatives.AVX2.features().contains(feature) ? Nd4jNatives.GENERIC : Nd4jNatives.AVX2;
        assertEquals(expected, Nd4jNatives.forCpu(Optional.of(without(SAPPHIRE_RAPIDS, feature)), ALL_SHIPPED),
                "without " + feature);
    }

    /** Each of AVX2's features is needed too (the AVX2 build is compiled with -mfma and -mf16c as well). */
    @ParameterizedTest
    @FieldSource("AVX2_FEATURES")
    void missingAnyOneAvx2FeatureFallsBackToTheGenericBuild(String feature) {
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.forCpu(Optional.of(without(ZEN3, feature)), ALL_SHIPPED),
                "without " + feature);
    }

    @Test
    void noCpuinfoGetsTheGenericBuild(@TempDir Path dir) {
        Optional<String> line = Nd4jNatives.firstFlagsLine(dir.resolve("cpuinfo"));
        assertEquals(Optional.empty(), line, "flags of an absent file");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.forCpu(line, ALL_SHIPPED));
    }

    /** Two processors, each followed by the "vmx flags" line newer kernels add: the first "flags" line counts. */
    @Test
    void readsTheFirstFlagsLineOfTheFile(@TempDir Path dir) throws IOException {
        String processor = "processor\t: %d%nvendor_id\t: GenuineIntel%nmodel name\t: Intel(R) Xeon(R)%n%s%n"
                + "vmx flags\t: vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad%nbugs\t\t: spectre_v1%n%n";
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, String.format(processor, 0, SAPPHIRE_RAPIDS) + String.format(processor, 1, HASWELL));
        assertEquals(Optional.of(SAPPHIRE_RAPIDS), Nd4jNatives.firstFlagsLine(cpuinfo));
    }

    @Test
    void javacppLoadsAWiderBuildOnlyWhenToldToOrLeftUnsetAndItIsThere() {
        assertEquals(Nd4jNatives.AVX512, Nd4jNatives.inForce("-avx512", ALL_SHIPPED), "told avx512");
        assertEquals(Nd4jNatives.AVX2, Nd4jNatives.inForce("-avx2", ALL_SHIPPED), "told avx2");
        assertEquals(Nd4jNatives.AVX512, Nd4jNatives.inForce(null, ALL_SHIPPED), "unset: the widest packaged");
        assertEquals(Nd4jNatives.AVX2, Nd4jNatives.inForce(null, b -> b != Nd4jNatives.AVX512),
                "unset, no AVX-512 natives");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.inForce("", ALL_SHIPPED), "forced generic by the empty value");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.inForce("-compat", ALL_SHIPPED), "another value");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.inForce("-avx512", GENERIC_ONLY), "told to, but not packaged");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.inForce("-avx2", GENERIC_ONLY), "told to, but not packaged");
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.inForce(null, GENERIC_ONLY), "neither");
    }

    /** This module's tests run without the wider natives: select must not change what javacpp would do. */
    @Test
    void selectLeavesThePropertyAloneWithoutTheWiderNatives() {
        String before = System.getProperty(Nd4jNatives.PROPERTY);
        assertEquals(Nd4jNatives.GENERIC, Nd4jNatives.select());
        assertEquals(before, System.getProperty(Nd4jNatives.PROPERTY), Nd4jNatives.PROPERTY);
    }

    private static String without(String flagsLine, String feature) {
        String without = Arrays.stream(flagsLine.split(" ")).filter(f -> !f.equals(feature))
                .collect(Collectors.joining(" "));
        assertFalse(without.matches(".*\\b" + feature + "\\b.*"), "test line still holds " + feature);
        return without;
    }
}
