package api

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/hit4x4/dagbok/account"
)

// qrSize is the side of a join link's QR code in pixels: sharp on a
// tablet held up for a phone to scan.
const qrSize = 320

// joinQR answers a PNG of the QR code of an invite's join link, for a
// trainer to show on a tablet. It needs no sign-in (an <img> sends no
// token) and reads nothing: the image holds only the code it was given.
func joinQR(public *url.URL) echo.HandlerFunc {
	return func(c echo.Context) error {
		code, ok := account.ParseInviteCode(c.Param("code"))
		if !ok {
			return errorf(CodeNotFound, "not an invite code")
		}
		origin := c.Scheme() + "://" + c.Request().Host
		if public != nil {
			origin = public.Scheme + "://" + public.Host
		}
		png, err := qrcode.Encode(origin+"/join?code="+code, qrcode.Medium, qrSize)
		if err != nil {
			return fmt.Errorf("qr code: %w", err)
		}
		c.Response().Header().Set("Cache-Control", "private, max-age=3600")
		return c.Blob(http.StatusOK, "image/png", png)
	}
}
