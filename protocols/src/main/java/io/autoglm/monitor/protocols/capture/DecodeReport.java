package io.autoglm.monitor.protocols.capture;

/**
 * The outcome of {@link CaptureCodec#decodeLenient}: how many non-blank lines were decoded and how
 * many rejected, and the first rejection (null when none).
 */
public record DecodeReport(long accepted, long rejected, CaptureFormatException firstError) {

  public DecodeReport {
    if (accepted < 0 || rejected < 0) {
      throw new IllegalArgumentException("counts must be >= 0");
    }
    if ((rejected == 0) != (firstError == null)) {
      throw new IllegalArgumentException("firstError must be present exactly when rejected > 0");
    }
  }

  public boolean clean() {
    return rejected == 0;
  }
}
