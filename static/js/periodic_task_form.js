/* The admin's periodic task form (django-celery-beat): the chosen crontab's schedule in words under the field. */
(function ($) {
  "use strict";
  var readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var originalHelp = JSON.parse(document.getElementById("crontab-help").textContent);

  function updateHelp(additional) {
    var help = $(".field-crontab .help").text(originalHelp);
    help.append(document.createElement("br"), document.createTextNode("Translation: " + (additional || "")));
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () { updateHelp(readableCrontabs[$("#id_crontab").val()]); });
})(django.jQuery);
