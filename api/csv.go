package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// progressCSV answers a group's weekly figures as CSV for the clinic's
// reporting: one row per member and week, names (aliases) and never
// e-mails. It opens cleanly in a spreadsheet set up for Norway: UTF-8 with
// a byte-order mark, semicolons between fields, decimal commas, CRLF.
func (h *clinicHandlers) progressCSV(c echo.Context) error {
	weeks, err := weeksParam(c)
	if err != nil {
		return err
	}
	p, err := h.clinic.Progress(c.Request().Context(), currentUser(c), c.Param("id"), weeks)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	w.Write([]string{"gruppe", "navn", "uke", "økter", "planlagt", "andel harde drag", "belastning"})
	for _, m := range p.Members {
		for _, wk := range m.Weeks {
			w.Write([]string{cell(p.Group.Name), cell(m.Name), wk.Week.String(), strconv.Itoa(wk.Sessions), strconv.Itoa(wk.Planned),
				decimal(wk.High, 2), decimal(wk.Load, 0)})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("progress csv: %w", err)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="gruppe.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// decimal writes f with a decimal comma.
func decimal(f float64, places int) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', places, 64), ".", ",", 1)
}

// cell keeps a name from being read as a formula by a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
