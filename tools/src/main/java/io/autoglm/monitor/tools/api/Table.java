package io.autoglm.monitor.tools.api;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table for a terminal: a header row, columns as wide as their widest cell (cells cut
 * at {@value #MAX_CELL} characters), two spaces between columns, no trailing blanks.
 */
public final class Table {
  static final int MAX_CELL = 60;

  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  public Table(String... headers) {
    this.columns = headers.length;
    rows.add(headers);
  }

  /** Adds a row; null cells show as "-", and missing ones as empty. */
  public Table row(Object... cells) {
    String[] row = new String[columns];
    for (int i = 0; i < columns; i++) {
      Object c = i < cells.length ? cells[i] : "";
      String text = c == null ? "-" : c.toString().replaceAll("[\\r\\n\\t]+", " ");
      row[i] = NodeApi.cut(text, MAX_CELL);
    }
    rows.add(row);
    return this;
  }

  /** Rows without the header. */
  public int size() {
    return rows.size() - 1;
  }

  public void print(PrintStream out) {
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(width[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  @Override
  public String toString() {
    return rows.stream().map(Arrays::toString).toList().toString();
  }
}
