// elementevents console: small progressive enhancements; every form works without this file.
"use strict";
