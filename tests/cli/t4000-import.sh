#!/bin/bash
# crm-import: formats, mapping, matching, rejects, batches and undo, round
# trips, and every kind of bad input.
. "$(dirname "$0")/lib.sh"

# The database's content, to show an import left it exactly as it was.
snapshot() {
	crm-contact list >/dev/null 2>&1 || true
	sqlite3 "$CRM_DB" .dump >"$1"
}

test_expect_success 'export headers of Google, Outlook, HubSpot and Salesforce map onto fields' '
	printf "Given Name,Family Name,E-mail 1 - Value,Phone 1 - Value,Organization 1 - Name\n" >google.csv &&
	printf "Ana,Souza,ana@example.com,+55 11 91234-5678,Acme\n" >>google.csv &&
	printf "First Name,Last Name,E-mail Address,Mobile Phone,Business City,Job Title\n" >outlook.csv &&
	printf "Bob,Stone,bob@example.org,+1 212 555 0100,Boston,CTO\n" >>outlook.csv &&
	printf "First Name,Last Name,Email,Company Name,Lead Status\n" >hubspot.csv &&
	printf "Chen,Wei,chen@example.cn,Globex,customer\n" >>hubspot.csv &&
	printf "First Name,Last Name,Email,Account Name,Mailing Zip/Postal Code\n" >sf.csv &&
	printf "Dana,Ruiz,dana@example.es,Acme,28001\n" >>sf.csv &&
	for f in google outlook hubspot sf; do crm-import contacts -q $f.csv; done &&
	crm-contact list -f first_name,email,company,city,title,status,postal_code -H >out &&
	printf "Ana\tana@example.com\tAcme\t\t\tlead\t\nBob\tbob@example.org\t\tBoston\tCTO\tlead\t\nChen\tchen@example.cn\tGlobex\t\t\tcustomer\t\nDana\tdana@example.es\tAcme\t\t\tlead\t28001\n" >expect &&
	test_cmp expect out
'
# The stock customer exports of Shopify and WooCommerce: the address in
# its fields, the shop's id kept as custom.source_id and its own figures
# with --keep-unknown, a
# column repeating another's value (Billing Email beside Email) not kept
# twice.  Shopify marks numbers as text for spreadsheets ('+46 ...,
# '753 20): the apostrophe goes, but not from text that begins with one.
test_expect_success 'Shopify'"'"'s and WooCommerce'"'"'s customer exports: the address in its fields' '
	printf "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags\n" >shop-cust.csv &&
	printf "%s\n" "7012345678901,Zoë,Ångström,zoe@example.se,yes,Ångström AB,Storgatan 1,,Uppsala,C,SE,'"'"'753 20,'"'"'018-12 34 56,'"'"'+46 70 123 45 67,no,123.45,3,'"'"'90s fan,no,\"vip, nordic\"" >>shop-cust.csv &&
	printf "Customer ID,Username,Email,First Name,Last Name,Billing First Name,Billing Last Name,Billing Company,Billing Address 1,Billing Address 2,Billing City,Billing Postcode,Billing Country,Billing State,Billing Email,Billing Phone,Shipping Address 1,Shipping City,Shipping Postcode,Shipping Country,Date Registered,Orders,Total Spent\n" >woo-cust.csv &&
	printf "12,mario,mario@example.it,Mario,Rossi,Mario,Rossi,Rossi SRL,Via Roma 1,Scala B,Milano,20121,IT,MI,mario@example.it,02 1234 5678,Via Roma 1,Milano,20121,IT,2024-01-01 10:00:00,2,55.00\n" >>woo-cust.csv &&
	for f in shop-cust woo-cust; do crm-import contacts --db shops.db -q --keep-unknown $f.csv || return 1; done &&
	crm-contact list --db shops.db -f first_name,email,phone_e164,company,street,city,region,postal_code,country,tags,created_at -H >out &&
	printf "Zoë\tzoe@example.se\t+46701234567\tÅngström AB\tStorgatan 1\tUppsala\tC\t753 20\tSE\tnordic,vip\t%s\n" "$(sqlite3 shops.db "select created_at from contacts where id = 1")" >expect &&
	printf "Mario\tmario@example.it\t+390212345678\tRossi SRL\tVia Roma 1\tMilano\tMI\t20121\tIT\t\t2024-01-01T10:00:00Z\n" >>expect &&
	test_cmp expect out &&
	crm-contact show --db shops.db 1 -f custom.default_address_phone,custom.source_id,custom.total_spent -H >out &&
	printf "018-12 34 56\t7012345678901\t123.45\n" >expect && test_cmp expect out &&
	crm-contact show --db shops.db 2 --format jsonl >out &&
	! grep -q billing_email out && ! grep -q billing_first_name out &&
	grep -q "\"custom.address_line2\":\"Scala B\"" out &&
	sqlite3 shops.db "select body from interactions where contact_id = 1" >out &&
	echo "'"'"'90s fan" >expect && test_cmp expect out &&
	crm-contact consent show --db shops.db 1 -f channel,status -H >out && grep -qx "email	granted" out
'
test_expect_success 'an address with its owner'"'"'s name is the address; the name fills what the row lacks' '
	printf "first_name,last_name,email\n,,Ann Lee <ann@example.org>\n" >mbox.csv &&
	printf "Di,Ng,Someone Else <di@example.org>\n,,\"\"\"Lee, Kim\"\" <kim@example.org>\"\n,,<cy@example.org>\n" >>mbox.csv &&
	printf ",,Ed <not-an-address>\n" >>mbox.csv &&
	printf "Email,Name\nAnn Lee <ann2@example.org>,Annie Leigh\n" >mbox2.csv &&
	expect_exit 3 crm-import contacts --db mbox.db mbox.csv 2>err &&
	grep -q "mbox.csv:6: email: invalid email address .Ed <not-an-address>." err &&
	crm-import contacts --db mbox.db -q mbox2.csv &&
	crm-contact list --db mbox.db -f first_name,last_name,email -H >out &&
	printf "Ann\tLee\tann@example.org\nDi\tNg\tdi@example.org\nKim\tLee\tkim@example.org\n\t\tcy@example.org\nAnnie\tLeigh\tann2@example.org\n" >expect &&
	test_cmp expect out &&
	printf "Email,Name\nEva Holm <eva@example.org>,\nfi@example.org <fi@example.org>,\n" >mbox3.csv &&
	printf "Name,Email\n,Gus Berg <gus@example.org>\n,'"'"'Hal Moe'"'"' <hal@example.org>\n" >mbox4.csv &&
	crm-import contacts --db mbox2.db -q mbox3.csv && crm-import contacts --db mbox2.db -q mbox4.csv &&
	crm-contact list --db mbox2.db -f first_name,last_name,email -H >out &&
	printf "Eva\tHolm\teva@example.org\n\t\tfi@example.org\nGus\tBerg\tgus@example.org\nHal\tMoe\thal@example.org\n" >expect &&
	test_cmp expect out
'
test_expect_success 'an address in a column of full names is the email of a row without one' '
	printf "Name,Phone\nAna Souza <ana@example.com>,\n\"\"\"Bo Ek\"\" <bo@example.se>\",\n<cy@example.org>,\n" >full.csv &&
	printf "Name,Email\nDi Ng <di@home.example>,di@work.example\n" >full2.csv &&
	crm-import contacts --db full.db -q full.csv && crm-import contacts --db full.db -q full2.csv &&
	crm-contact list --db full.db -f first_name,last_name,email -H >out &&
	printf "Ana\tSouza\tana@example.com\nBo\tEk\tbo@example.se\n\t\tcy@example.org\nDi\tNg\tdi@work.example\n" >expect &&
	test_cmp expect out
'
# Only the toolkit's own output spells the id "id": a file's ID is
# another system's, kept to match on when asked, never this toolkit's.
test_expect_success 'an ID column is another system'"'"'s: kept as custom.source_id, a key when asked' '
	crm-contact add --db idk.db -q --first-name Own --email own@example.org >/dev/null &&
	printf "ID,First Name\n1,Uma\n" >ids.csv &&
	crm-import contacts --db idk.db -q --key id ids.csv &&
	crm-import contacts --db idk.db --key custom.source_id ids.csv 2>err &&
	grep -q "skipped 1, rejected 0; nothing changed" err &&
	printf "Record ID,First Name\n1,Uma Lee\n" >rid.csv &&
	crm-import contacts --db idk.db -q --key custom.source_id --on-conflict update rid.csv &&
	crm-contact list --db idk.db -f id,first_name,custom.source_id -H >out &&
	printf "1\tOwn\t\n2\tUma Lee\t1\n" >expect && test_cmp expect out &&
	crm-contact list --db idk.db -f id,first_name --format csv >own.csv &&
	sed -i "s/,Own/,Owen/" own.csv &&
	crm-import contacts --db idk.db -q --key id --on-conflict update own.csv &&
	crm-contact list --db idk.db -f first_name -H >out && printf "Owen\nUma Lee\n" >expect && test_cmp expect out
'
# Stripe's customers export spells its ids "id" too, but no id of this
# toolkit's looks like cus_...: such a value is another system's, kept as
# custom.source_id and matched on when asked.  Its addresses are "Address
# City" and the like.
test_expect_success 'an id that is no id of this toolkit'"'"'s is another system'"'"'s: Stripe'"'"'s customers' '
	printf "%s\n" "id,Description,Email,Name,Created (UTC),Phone,Address Line1,Address Line2,Address City,Address State,Address Country,Address Zip" >stripe.csv &&
	printf "%s\n" "cus_NffrFeUfNV2Hib,VIP,jenny.rosen@example.com,Jenny Rosen,2023-04-12 17:28,+1 415-555-0100,510 Townsend St,Floor 2,San Francisco,CA,US,94103" >>stripe.csv &&
	crm-import contacts --db stripe.db --keep-unknown stripe.csv 2>err &&
	grep -q "created 1," err &&
	crm-contact list --db stripe.db -f id,name,street,city,region,country,postal_code,created_at,custom.source_id,custom.address_line2 -H >out &&
	printf "1\tJenny Rosen\t510 Townsend St\tSan Francisco\tCA\tUS\t94103\t2023-04-12T17:28:00Z\tcus_NffrFeUfNV2Hib\tFloor 2\n" >expect &&
	test_cmp expect out &&
	sed "s/Jenny Rosen/Jenny Rosen-Lee/; s/jenny.rosen@/jenny@/" stripe.csv >stripe2.csv &&
	crm-import contacts --db stripe.db --keep-unknown --key custom.source_id --on-conflict update stripe2.csv 2>err &&
	grep -q "created 0, updated 1" err &&
	crm-contact list --db stripe.db -f id,last_name,email -H >out &&
	printf "1\tRosen-Lee\tjenny@example.com\n" >expect && test_cmp expect out &&
	expect_exit 3 crm-import contacts --db stripe.db --keep-unknown --key id stripe2.csv 2>err &&
	grep -q "stripe2.csv:2: id: invalid id .cus_NffrFeUfNV2Hib." err
'
test_expect_success 'Stripe'"'"'s customers as its API lists them' '
	printf "%s\n" "{\"id\":\"cus_Q9\",\"object\":\"customer\",\"address\":{\"city\":\"Berlin\",\"country\":\"DE\",\"line1\":\"Unter den Linden 1\",\"line2\":null,\"postal_code\":\"10117\",\"state\":null},\"balance\":0,\"created\":1680893993,\"email\":\"hans@example.de\",\"invoice_settings\":{\"footer\":null},\"metadata\":{},\"name\":\"Hans Müller\",\"phone\":\"030 1234567\",\"preferred_locales\":[]}" >stripe-api.jsonl &&
	crm-import contacts -q --db stripe-api.db --ignore-unknown stripe-api.jsonl &&
	crm-contact list --db stripe-api.db -f name,email,phone_e164,street,city,postal_code,country,created_at,custom.source_id -H >out &&
	printf "Hans Müller\thans@example.de\t+49301234567\tUnter den Linden 1\tBerlin\t10117\tDE\t2023-04-07T18:59:53Z\tcus_Q9\n" >expect &&
	test_cmp expect out
'
# WooCommerce's REST API: a customer made when date_created_gmt says (its
# date_created is the shop's local time, without an offset), the address
# under billing, date_modified its own bookkeeping.
test_expect_success 'WooCommerce'"'"'s customers as its API lists them' '
	printf "%s\n" "[{\"id\":25,\"date_created\":\"2017-03-21T16:09:28\",\"date_created_gmt\":\"2017-03-21T19:09:28\",\"date_modified\":\"2017-03-21T16:09:30\",\"date_modified_gmt\":\"2017-03-21T19:09:30\",\"email\":\"john.doe@example.com\",\"first_name\":\"John\",\"last_name\":\"Doe\",\"billing\":{\"city\":\"San Francisco\",\"state\":\"CA\",\"postcode\":\"94103\",\"country\":\"US\",\"phone\":\"(415) 555-2671\"}}]" >woo-customers.json &&
	crm-import contacts -q --db woo.db woo-customers.json &&
	crm-contact list --db woo.db -f name,email,phone_e164,city,region,postal_code,country,created_at,custom.source_id -H >out &&
	printf "John Doe\tjohn.doe@example.com\t+14155552671\tSan Francisco\tCA\t94103\tUS\t2017-03-21T19:09:28Z\t25\n" >expect &&
	test_cmp expect out
'
# A shop's API numbers its records under "id" as this toolkit does: beside
# a column only the shop writes, the id is the shop's, never a record's
# here, and matches again with --key email,custom.source_id (a customer
# known by phone alone, run twice, is one person).
test_expect_success 'a shop'"'"'s numeric ids under "id" are the shop'"'"'s: custom.source_id' '
	crm-contact add --db shop-ids.db -q --first-name Zoe --last-name Here --email zoe@example.org >/dev/null &&
	printf "%s\n" "{\"id\":1,\"admin_graphql_api_id\":\"gid://shopify/Customer/1\",\"email\":null,\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"phone\":\"+16135550142\"}" >shop-ids.jsonl &&
	printf "%s\n" "{\"id\":2,\"email\":\"kim@example.com\",\"first_name\":\"Kim\",\"last_name\":\"Park\",\"verified_email\":true,\"state\":\"enabled\"}" >>shop-ids.jsonl &&
	printf "%s\n" "[{\"id\":7,\"date_created_gmt\":\"2017-03-21T19:09:28\",\"email\":\"\",\"first_name\":\"Joe\",\"last_name\":\"Roe\",\"billing\":{\"phone\":\"+1 415 555 2671\"}}]" >woo-ids.json &&
	for f in shop-ids.jsonl woo-ids.json; do
		crm-import contacts --db shop-ids.db -q --ignore-unknown $f || return 1
	done &&
	crm-contact list --db shop-ids.db -f id,name,email,custom.source_id -H >out &&
	printf "1\tZoe Here\tzoe@example.org\t\n2\tAnn Lee\t\t1\n3\tKim Park\tkim@example.com\t2\n4\tJoe Roe\t\t7\n" >expect &&
	test_cmp expect out &&
	for f in shop-ids.jsonl woo-ids.json; do
		crm-import contacts --db shop-ids.db --ignore-unknown --key email,custom.source_id $f 2>err &&
		grep -q "created 0, updated 0, unchanged 0, skipped [12], rejected 0; nothing changed" err || return 1
	done &&
	printf "id,email,first_name\n1,zoe@example.org,Zoë\n" >own.csv &&
	crm-import contacts --db shop-ids.db --key id --on-conflict update own.csv 2>err &&
	grep -q "updated 1" err &&
	crm-contact list --db shop-ids.db --where id=1 -f name -H >out &&
	echo "Zoë Here" >expect && test_cmp expect out
'
# Microsoft Dynamics 365's spreadsheets: its own columns for the way back
# ("(Do Not Modify) Row Checksum") left out, the record's id kept as
# custom.source_id, the addresses ("Address 1: ZIP/Postal Code") in
# their fields.
test_expect_success 'Dynamics 365'"'"'s contacts and accounts import as they are' '
	printf "%s\n" "(Do Not Modify) Contact,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Full Name,Company Name,Email,Business Phone,Address 1: Street 1,Address 1: Street 2,Address 1: City,Address 1: State/Province,Address 1: ZIP/Postal Code,Address 1: Country/Region,Job Title,Created On" >dyn.csv &&
	printf "%s\n" "7a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b,abc==,2026-10-01 09:00,Søren Kierkegaard,Fabrikam,soren@fabrikam.example,+45 33 12 34 56,Nørregade 1,2. sal,København,Hovedstaden,1165,Denmark,Philosopher,2025-01-02 08:00" >>dyn.csv &&
	printf "%s\n" "(Do Not Modify) Account,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Account Name,Main Phone,Address 1: City,Address 1: Country/Region,Website" >dyn-acc.csv &&
	printf "%s\n" "5e6f7a8b-0000-4e5f-8a9b-0c1d2e3f4a5b,def==,2026-10-01 09:00,Fabrikam,+45 70 10 20 30,Aarhus,Denmark,https://www.fabrikam.example" >>dyn-acc.csv &&
	crm-import contacts --db dyn.db dyn.csv 2>err && grep -q "created 1,.* 1 new company" err &&
	crm-import companies --db dyn.db --on-conflict update dyn-acc.csv 2>err &&
	grep -q "created 0, updated 1" err &&
	crm-contact list --db dyn.db -f name,company,phone_e164,street,city,region,postal_code,country,created_at,custom.source_id,custom.address_line2 -H >out &&
	printf "Søren Kierkegaard\tFabrikam\t+4533123456\tNørregade 1\tKøbenhavn\tHovedstaden\t1165\tDK\t2025-01-02T08:00:00Z\t7a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b\t2. sal\n" >expect &&
	test_cmp expect out &&
	crm-company list --db dyn.db -f name,phone_e164,city,country,website,custom.source_id -H >out &&
	printf "Fabrikam\t+4570102030\tAarhus\tDK\thttps://www.fabrikam.example\t5e6f7a8b-0000-4e5f-8a9b-0c1d2e3f4a5b\n" >expect &&
	test_cmp expect out
'
# Square's customers: the address in two lines, the seller's memo a
# note, Square's id and the seller's reference kept, consent as
# Subscribed, Unsubscribed or Unknown (which says nothing).
test_expect_success 'Square'"'"'s customers import as they are' '
	cat >square.csv <<-\EOF &&
	Reference ID,First Name,Last Name,Email Address,Phone Number,Company Name,Street Address 1,Street Address 2,City,State,Postal Code,Memo,Square Customer ID,Email Subscription Status
	,María,García,maria@example.es,+34 912 345 678,,Calle Mayor 1,2º izq.,Madrid,Madrid,28013,Likes oat milk,JDKYHBWT1D4F8MFH63DBMEN8Y4,Subscribed
	R-2,Tom,Baker,tom@example.co.uk,+44 113 496 0000,Baker & Sons,1 High St,,Leeds,,LS1 1AA,,K9ZZ8TZ1RMFX4VZQ1Y1Y2W3E4R,Unsubscribed
	,Lee,Chan,lee@example.hk,,,,,,,,,JQ8HHX1,Unknown
	EOF
	crm-import contacts --db square.db square.csv 2>err &&
	grep -q "read 3, created 3, .* rejected 0" err &&
	crm-contact list --db square.db -f name,phone_e164,company,street,custom.address_line2,city,postal_code,custom.source_id,custom.reference_id -H >out &&
	printf "María García\t+34912345678\t\tCalle Mayor 1\t2º izq.\tMadrid\t28013\tJDKYHBWT1D4F8MFH63DBMEN8Y4\t\n" >expect &&
	printf "Tom Baker\t+441134960000\tBaker & Sons\t1 High St\t\tLeeds\tLS1 1AA\tK9ZZ8TZ1RMFX4VZQ1Y1Y2W3E4R\tR-2\n" >>expect &&
	printf "Lee Chan\t\t\t\t\t\t\tJQ8HHX1\t\n" >>expect &&
	test_cmp expect out &&
	for i in 1 2 3; do crm-contact consent show --db square.db $i -f channel,status -H || return 1; done >out &&
	printf "email\tgranted\nemail\twithdrawn\n" >expect && test_cmp expect out &&
	crm-contact timeline --db square.db 1 -f kind,text -H >out &&
	grep -q "Likes oat milk" out
'
# HubSpot's API: a contact's fields under properties, HubSpot's id beside
# properties.hs_object_id kept as custom.source_id (never this toolkit's
# id), its archived flag no field here; a run again keyed on the
# source_id adds nothing, a person without an email included.
test_expect_success 'HubSpot'"'"'s API contacts: the fields under properties, the id HubSpot'"'"'s' '
	cat >hs.jsonl <<-\EOF &&
	{"id":"1","properties":{"createdate":"2019-10-30T03:30:17.883Z","email":"bh@hubspot.example","firstname":"Brian","hs_object_id":"1","lastmodifieddate":"2019-12-07T16:50:06.678Z","lastname":"Halligan","phone":"+1 617 555 0100","lifecyclestage":"customer"},"createdAt":"2019-10-30T03:30:17.883Z","updatedAt":"2019-12-07T16:50:06.678Z","archived":false}
	{"id":"2","properties":{"createdate":"2020-01-02T10:00:00Z","email":null,"firstname":"Dharmesh","hs_object_id":"2","lastname":"Shah","phone":"+1 617 555 0101"},"createdAt":"2020-01-02T10:00:00Z","updatedAt":"2020-01-02T10:00:00Z","archived":false}
	EOF
	crm-contact add --db hs.db -q --first-name Zoe --last-name Here --email zoe@example.org >/dev/null &&
	expect_exit 3 crm-import contacts --db hs.db hs.jsonl 2>err &&
	grep -q "^crm-import: hs.jsonl:1: unknown column .archived." err &&
	crm-import contacts --db hs.db --ignore-unknown hs.jsonl 2>err &&
	grep -q "read 2, created 2, .* rejected 0" err &&
	crm-contact list --db hs.db -f id,name,email,phone_e164,status,created_at,custom.source_id -H >out &&
	printf "1\tZoe Here\tzoe@example.org\t\tlead\t%s\t\n" "$(crm-contact show --db hs.db 1 -f created_at -H)" >expect &&
	printf "2\tBrian Halligan\tbh@hubspot.example\t+16175550100\tcustomer\t2019-10-30T03:30:17Z\t1\n" >>expect &&
	printf "3\tDharmesh Shah\t\t+16175550101\tlead\t2020-01-02T10:00:00Z\t2\n" >>expect &&
	test_cmp expect out &&
	crm-import contacts --db hs.db --ignore-unknown --key email,custom.source_id hs.jsonl 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 2, rejected 0; nothing changed" err
'
# Intercom's API contacts: every unknown column of the first record named
# at once, as a header's are; the location object's city, region and
# country; created_at in seconds; the hex id kept; an unsubscription.
test_expect_success 'Intercom'"'"'s API contacts: location, consent, unknown columns named together' '
	printf "%s\n" "{\"type\":\"contact\",\"id\":\"5ba682d23d7cf92bef87bfd4\",\"role\":\"user\",\"email\":\"joe@example.com\",\"phone\":\"+353 1 234 5678\",\"name\":\"Joe Example\",\"unsubscribed_from_emails\":true,\"created_at\":1571672154,\"updated_at\":1571672158,\"location\":{\"type\":\"location\",\"country\":\"Ireland\",\"region\":\"Leinster\",\"city\":\"Dublin\",\"country_code\":\"IRL\"},\"custom_attributes\":{}}" >ic-api.jsonl &&
	expect_exit 3 crm-import contacts --db ic-api.db ic-api.jsonl 2>err &&
	grep -q "^crm-import: ic-api.jsonl:1: unknown columns .type., .role., .location.type. (map them" err &&
	crm-import contacts --db ic-api.db -q --ignore-unknown ic-api.jsonl &&
	crm-contact list --db ic-api.db -f name,phone_e164,city,region,country,created_at,custom.source_id -H >out &&
	printf "Joe Example\t+35312345678\tDublin\tLeinster\tIE\t2019-10-21T15:35:54Z\t5ba682d23d7cf92bef87bfd4\n" >expect &&
	test_cmp expect out &&
	crm-contact consent show --db ic-api.db 1 -f channel,status -H >out &&
	printf "email\twithdrawn\n" >expect && test_cmp expect out
'
# Mailchimp's API's members: fields under merge_fields, the status their
# consent (not how far a sale went): subscribed given when they opted in,
# unsubscribed withdrawn (when, the member does not say: the import's
# time), cleaned saying nothing; tags as objects by their names.
test_expect_success 'Mailchimp'"'"'s API members: merge fields, status as consent, tags by name' '
	cat >mc-api.jsonl <<-\EOF &&
	{"id":"852aaa95","email_address":"urist@jokes.example","full_name":"Urist McVankab","status":"subscribed","merge_fields":{"FNAME":"Urist","LNAME":"McVankab","ADDRESS":{"addr1":"1 Main St","addr2":"Apt 4","city":"Atlanta","state":"GA","zip":"30308","country":"US"},"PHONE":"+1 404 555 0100"},"timestamp_opt":"2015-09-16T19:24:29+00:00","last_changed":"2015-09-16T19:24:29+00:00","language":"en","source":"Hosted Signup Form","tags":[{"id":11,"name":"vip"},{"id":12,"name":"atlanta"}]}
	{"id":"0b1c","email_address":"gone@jokes.example","full_name":"Ann Gone","status":"unsubscribed","merge_fields":{"FNAME":"Ann","LNAME":"Gone"},"timestamp_opt":"2016-01-01T00:00:00+00:00","last_changed":"2017-02-02T10:00:00+00:00","tags":[]}
	{"id":"0b1d","email_address":"bounced@jokes.example","full_name":"Bo Unce","status":"cleaned","merge_fields":{"FNAME":"Bo","LNAME":"Unce"},"timestamp_opt":"2016-01-01T00:00:00+00:00","tags":[]}
	EOF
	crm-import contacts --db mc-api.db mc-api.jsonl 2>err &&
	grep -q "read 3, created 3, .* rejected 0" err &&
	crm-contact list --db mc-api.db -f name,phone_e164,street,custom.address_line2,city,region,postal_code,country,status,source,tags,custom.source_id -H >out &&
	printf "Urist McVankab\t+14045550100\t1 Main St\tApt 4\tAtlanta\tGA\t30308\tUS\tlead\tHosted Signup Form\tatlanta,vip\t852aaa95\n" >expect &&
	printf "Ann Gone\t\t\t\t\t\t\t\tlead\t\t\t0b1c\nBo Unce\t\t\t\t\t\t\t\tlead\t\t\t0b1d\n" >>expect &&
	test_cmp expect out &&
	for i in 1 2 3; do crm-contact consent show --db mc-api.db $i -f channel,status,at -H || return 1; done >out &&
	printf "email\tgranted\t2015-09-16T19:24:29Z\nemail\twithdrawn\t%s\n" "$CRM_NOW" >expect &&
	test_cmp expect out
'
# Klaviyo's API's profiles: fields under attributes, the place under its
# location, consent per channel as an object of a state and its time
# (NEVER_SUBSCRIBED says nothing); Klaviyo's id kept.
test_expect_success 'Klaviyo'"'"'s API profiles: attributes, location, consent' '
	printf "%s\n" "{\"type\":\"profile\",\"id\":\"01GDDKASAP8TKDDA2GRZDSVP4H\",\"attributes\":{\"email\":\"sarah@kl.example\",\"phone_number\":\"+12125550100\",\"first_name\":\"Sarah\",\"last_name\":\"Mason\",\"organization\":\"Example Corporation\",\"title\":\"Regional Manager\",\"created\":\"2022-11-08T00:00:00+00:00\",\"updated\":\"2022-11-09T00:00:00+00:00\",\"location\":{\"address1\":\"89 E 42nd St\",\"address2\":\"1st floor\",\"city\":\"New York\",\"country\":\"United States\",\"region\":\"NY\",\"zip\":\"10017\"},\"subscriptions\":{\"email\":{\"marketing\":{\"consent\":\"SUBSCRIBED\",\"consent_timestamp\":\"2023-02-21T20:07:38+00:00\",\"method\":\"PREFERENCE_PAGE\"}},\"sms\":{\"marketing\":{\"consent\":\"NEVER_SUBSCRIBED\",\"consent_timestamp\":null}}}},\"links\":{\"self\":\"https://a.klaviyo.com/api/profiles/01GDDKASAP8TKDDA2GRZDSVP4H/\"}}" >kl-api.jsonl &&
	crm-import contacts --db kl-api.db -q --ignore-unknown kl-api.jsonl &&
	crm-contact list --db kl-api.db -f name,phone_e164,company,title,street,custom.address_line2,city,region,postal_code,country,created_at,custom.source_id -H >out &&
	printf "Sarah Mason\t+12125550100\tExample Corporation\tRegional Manager\t89 E 42nd St\t1st floor\tNew York\tNY\t10017\tUS\t2022-11-08T00:00:00Z\t01GDDKASAP8TKDDA2GRZDSVP4H\n" >expect &&
	test_cmp expect out &&
	crm-contact consent show --db kl-api.db 1 -f channel,status,at -H >out &&
	printf "email\tgranted\t2023-02-21T20:07:38Z\n" >expect && test_cmp expect out
'
# An API's page as it comes (curl > file.json): the list inside it read,
# the counts and cursors around it left.  Zendesk's users: its numeric id
# (beside ticket_restriction) is Zendesk's, kept; a second run of the same
# page, keyed by it, adds no one.  Pipedrive's persons: addresses as
# objects, one primary; the organization's and owner's names; when added.
test_expect_success 'API pages: Zendesk'"'"'s users and organizations, Pipedrive'"'"'s persons' '
	cat >zd-users.json <<-\EOF &&
	{"users":[
	 {"id":35436,"url":"https://acme.zendesk.com/api/v2/users/35436.json","name":"Johnny Customer","email":null,"phone":"+45 32 12 34 56","created_at":"2009-07-20T22:55:29Z","updated_at":"2011-05-05T10:38:52Z","iana_time_zone":"Europe/Copenhagen","role":"end-user","tags":["vip"],"notes":"Prefers mail","ticket_restriction":"requested","user_fields":{}},
	 {"id":35437,"url":"https://acme.zendesk.com/api/v2/users/35437.json","name":"Mia Berg","email":"mia@zd.example","phone":null,"created_at":"2010-01-02T03:04:05Z","updated_at":"2011-05-05T10:38:52Z","iana_time_zone":"Europe/Oslo","role":"end-user","tags":[],"notes":"","ticket_restriction":"requested","user_fields":{}}
	],"next_page":null,"previous_page":null,"count":2}
	EOF
	crm-import contacts --db zd-api.db -q --ignore-unknown zd-users.json &&
	crm-import contacts --db zd-api.db --ignore-unknown --key custom.source_id zd-users.json 2>err &&
	grep -q "read 2, created 0, .*skipped 2" err &&
	crm-contact list --db zd-api.db -f name,email,phone_e164,tags,created_at,custom.source_id -H >out &&
	printf "Johnny Customer\t\t+4532123456\tvip\t2009-07-20T22:55:29Z\t35436\nMia Berg\tmia@zd.example\t\t\t2010-01-02T03:04:05Z\t35437\n" >expect &&
	test_cmp expect out &&
	cat >pd-persons.json <<-\EOF &&
	{"success":true,"data":[{"id":7,"company_id":1234,"owner_id":{"id":99,"name":"Sam Seller","value":99},"org_id":{"name":"Acme GmbH","value":3},"name":"Ann Lee","first_name":"Ann","last_name":"Lee","phone":[{"label":"work","value":"+49 30 1234567","primary":true}],"email":[{"label":"home","value":"ann.lee@pd.example","primary":false},{"label":"work","value":"ann@pd.example","primary":true}],"first_char":"a","update_time":"2026-11-20 10:00:00","delete_time":null,"add_time":"2026-01-05 09:00:00","visible_to":"3","org_name":"Acme GmbH","owner_name":"Sam Seller"}],
	 "additional_data":{"pagination":{"start":0,"limit":100,"more_items_in_collection":false}}}
	EOF
	printf "%s\n" "{\"organizations\":[{\"id\":360,\"name\":\"Globex Corporation\",\"shared_tickets\":false,\"created_at\":\"2019-01-01T10:00:00Z\",\"tags\":[\"enterprise\"]}],\"next_page\":null,\"count\":1}" >zd-orgs.json &&
	crm-import companies --db zd-api.db -q --ignore-unknown zd-orgs.json &&
	crm-company list --db zd-api.db -f name,tags,created_at,custom.source_id -H >out &&
	printf "Globex Corporation\tenterprise\t2019-01-01T10:00:00Z\t360\n" >expect && test_cmp expect out &&
	crm-import contacts --db pd-api.db -q --ignore-unknown pd-persons.json &&
	crm-contact list --db pd-api.db -f name,email,phone_e164,company,owner,created_at,custom.source_id -H >out &&
	printf "Ann Lee\tann@pd.example\t+49301234567\tAcme GmbH\tSam Seller\t2026-01-05T09:00:00Z\t7\n" >expect &&
	test_cmp expect out
'
# Brevo's contacts, separated by semicolons: its mobile (SMS) the phone
# when there is one, else the landline; another number kept beside, the
# WhatsApp number that repeats the mobile dropped; EXT_ID the seller's
# own id, ADDED_TIME when they were added.
test_expect_success 'Brevo'"'"'s contacts import as they are' '
	cat >brevo.csv <<-\EOF &&
	EMAIL;FIRSTNAME;LASTNAME;SMS;LANDLINE_NUMBER;WHATSAPP;EXT_ID;ADDED_TIME;MODIFIED_TIME
	ana@example.pt;Ana;Sousa;+351912345678;+351213456789;+351912345678;C-7;2024-01-02T10:00:00Z;2024-02-02T10:00:00Z
	li@example.cn;Li;Wei;;+862161234567;;;2024-03-01 09:00:00;2024-03-02 09:00:00
	EOF
	crm-import contacts --db brevo.db brevo.csv 2>err &&
	grep -q "read 2, created 2, .* rejected 0" err &&
	crm-contact list --db brevo.db -f name,phone_e164,custom.landline_number,custom.whatsapp,custom.source_id,created_at -H >out &&
	printf "Ana Sousa\t+351912345678\t+351213456789\t\tC-7\t2024-01-02T10:00:00Z\n" >expect &&
	printf "Li Wei\t+862161234567\t\t\t\t2024-03-01T09:00:00Z\n" >>expect &&
	test_cmp expect out
'
# An address's second line, as shops and payment services name it, is
# kept beside the street (custom.address_line2), not lost to the unknown
# columns.
test_expect_success 'the second line of an address, as Shopify, WooCommerce and Stripe name it' '
	printf "Customer ID,First Name,Last Name,Email,Default Address Address1,Default Address Address2,Default Address City,Default Address Country Code\n1,Ana,Lima,ana@example.br,Rua A 1,apto 2,São Paulo,BR\n" >line2-shop.csv &&
	printf "Email,Billing First Name,Billing Last Name,Billing Address 1,Billing Address 2,Billing City\nbo@example.se,Bo,Ek,Storgatan 1,lgh 1101,Umeå\n" >line2-woo.csv &&
	printf "id,Email,Name,Address Line1,Address Line2,Address City\ncus_X1,cy@example.fr,Cy Roux,1 rue de la Paix,Bât. B,Paris\n" >line2-stripe.csv &&
	for f in line2-shop.csv line2-woo.csv line2-stripe.csv; do
		crm-import contacts --db line2.db -q $f || return 1
	done &&
	crm-contact list --db line2.db -f email,street,custom.address_line2,city -H >out &&
	printf "ana@example.br\tRua A 1\tapto 2\tSão Paulo\nbo@example.se\tStorgatan 1\tlgh 1101\tUmeå\ncy@example.fr\t1 rue de la Paix\tBât. B\tParis\n" >expect &&
	test_cmp expect out
'
# Pipedrive's people and organizations: made when "Person created" and
# "Organization created" say, its Update time its own bookkeeping.
test_expect_success 'Pipedrive'"'"'s people and organizations keep when they were made' '
	printf "Organization - ID,Organization - Name,Organization - Owner,Organization - Organization created,Organization - Update time\n5,Lagos Ltd,Sam,2024-02-03 10:00:00,2024-03-01 09:00:00\n" >pd-org.csv &&
	printf "Person - ID,Person - Name,Person - Organization,Person - Email - Work,Person - Phone - Work,Person - Person created,Person - Update time\n17,Olu Ade,Lagos Ltd,olu@lagos.example,+234 1 234 5678,2024-02-04 11:00:00,2024-03-01 09:00:00\n" >pd-people.csv &&
	crm-import companies --db pd.db -q pd-org.csv && crm-import contacts --db pd.db -q pd-people.csv &&
	crm-company list --db pd.db -f name,owner,created_at,custom.source_id -H >out &&
	printf "Lagos Ltd\tSam\t2024-02-03T10:00:00Z\t5\n" >expect && test_cmp expect out &&
	crm-contact list --db pd.db -f name,company,created_at,custom.source_id -H >out &&
	printf "Olu Ade\tLagos Ltd\t2024-02-04T11:00:00Z\t17\n" >expect && test_cmp expect out
'
# LinkedIn's Connections.csv: notes above the header, most people
# without an email, so the profile's URL, kept, is the key a later
# export matches on.
test_expect_success 'LinkedIn'"'"'s connections: the notes above the header skipped, matched again on URL' '
	printf "Notes:\r\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\r\n\r\n" >Connections.csv &&
	printf "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n" >>Connections.csv &&
	printf "Ana,Souza,https://www.linkedin.com/in/anasouza,,Souza Transportes,Head of Logistics,05 Dec 2026\r\n" >>Connections.csv &&
	printf "Kenji,Tanaka,https://www.linkedin.com/in/kenji-tanaka,kenji@sakura.example,Sakura KK,CTO,14 Mar 2019\r\n" >>Connections.csv &&
	crm-import contacts --db li.db --keep-unknown --key email,custom.url Connections.csv 2>err &&
	grep -q "read 2, created 2, .* rejected 0" err &&
	crm-contact list --db li.db -f name,email,company,title,custom.url,custom.connected_on -H >out &&
	printf "Ana Souza\t\tSouza Transportes\tHead of Logistics\thttps://www.linkedin.com/in/anasouza\t05 Dec 2026\n" >expect &&
	printf "Kenji Tanaka\tkenji@sakura.example\tSakura KK\tCTO\thttps://www.linkedin.com/in/kenji-tanaka\t14 Mar 2019\n" >>expect &&
	test_cmp expect out &&
	crm-import contacts --db li.db --keep-unknown --key email,custom.url Connections.csv 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 2, rejected 0; nothing changed" err
'
# Intercom's people and Copper's: when they signed up or were added, the
# user's id kept, an unsubscription from mail a withdrawal of consent.
test_expect_success 'Intercom'"'"'s and Copper'"'"'s people import as they are' '
	printf "%s\n" "Name,Email,Phone,User ID,Company name,Signed up,City,Country,Tags,Unsubscribed from emails" >intercom.csv &&
	printf "%s\n" "Mia Wong,mia@example.com,+1 604 555 0199,u-1001,Maple Ltd,2025-06-01 12:00,Vancouver,Canada,beta,true" >>intercom.csv &&
	printf "%s\n" "Tom Fox,tom@example.com,,u-1002,,2025-07-01 08:00,London,United Kingdom,,false" >>intercom.csv &&
	printf "%s\n" "Name,Title,Company,Email,Phone Number,Street,City,State,Postal Code,Country,Tags,Owner,Date Added" >copper.csv &&
	printf "%s\n" "Lea Roth,CFO,Alpen GmbH,lea@alpen.example,+41 44 123 45 67,Bahnhofstrasse 1,Zürich,ZH,8001,Switzerland,vip,Sam,2024-03-02" >>copper.csv &&
	crm-import contacts --db ic.db -q intercom.csv && crm-import contacts --db ic.db -q copper.csv &&
	crm-contact list --db ic.db -f name,phone_e164,company,country,tags,created_at,custom.source_id -H >out &&
	printf "Mia Wong\t+16045550199\tMaple Ltd\tCA\tbeta\t2025-06-01T12:00:00Z\tu-1001\n" >expect &&
	printf "Tom Fox\t\t\tGB\t\t2025-07-01T08:00:00Z\tu-1002\n" >>expect &&
	printf "Lea Roth\t+41441234567\tAlpen GmbH\tCH\tvip\t2024-03-02T00:00:00Z\t\n" >>expect &&
	test_cmp expect out &&
	crm-contact consent show --db ic.db 1 -f channel,status -H >out &&
	printf "email\twithdrawn\n" >expect && test_cmp expect out &&
	crm-contact consent show --db ic.db 2 -f channel,status -H >out && test ! -s out
'
# Klaviyo's profiles: its consent words, of which NEVER_SUBSCRIBED says
# nothing.
test_expect_success 'Klaviyo'"'"'s profiles: consent as SUBSCRIBED, UNSUBSCRIBED, NEVER_SUBSCRIBED' '
	printf "%s\n" "Email,First Name,Last Name,Phone Number,City,State / Region,Country,Zip Code,Email Marketing Consent,SMS Marketing Consent" >klaviyo.csv &&
	printf "%s\n" "ana@example.pt,Ana,Sousa,+351 912 345 678,Lisboa,Lisboa,Portugal,1100-053,SUBSCRIBED,NEVER_SUBSCRIBED" >>klaviyo.csv &&
	printf "%s\n" "li@example.cn,Li,Wei,,,,,,UNSUBSCRIBED,SUBSCRIBED" >>klaviyo.csv &&
	crm-import contacts --db kl.db -q klaviyo.csv &&
	crm-contact list --db kl.db -f name,phone_e164,region,country,postal_code -H >out &&
	printf "Ana Sousa\t+351912345678\tLisboa\tPT\t1100-053\nLi Wei\t\t\t\t\n" >expect &&
	test_cmp expect out &&
	for i in 1 2; do crm-contact consent show --db kl.db $i -f channel,status -H || return 1; done >out &&
	printf "email\tgranted\nemail\twithdrawn\nsms\tgranted\n" >expect && test_cmp expect out
'
# The same pair of times read alike for any entity: a company's.
test_expect_success 'date_created beside date_created_gmt: the UTC one, for any entity' '
	printf "name,date_created,date_created_gmt\nAcme,2020-01-01T10:00:00,2020-01-01T13:00:00\n" >woo-co.csv &&
	crm-import companies -q --db woo.db woo-co.csv &&
	crm-company list --db woo.db -f name,created_at,custom.date_created -H >out &&
	printf "Acme\t2020-01-01T13:00:00Z\t\n" >expect && test_cmp expect out
'
# Shopify's Admin API's customers: the region of the default address,
# not the account's state (enabled, disabled); consent as an object of a
# state and when it was set: subscribed is given then, unsubscribed
# withdrawn then, not_subscribed and pending say nothing.
test_expect_success 'Shopify'"'"'s customers as its API lists them: region and consent' '
	cat >shop-customers.jsonl <<-\EOF &&
	{"id":207119551,"email":"bob@example.com","created_at":"2024-01-01T14:14:14-05:00","first_name":"Bob","last_name":"Norman","state":"disabled","verified_email":true,"tags":"VIP","phone":"+16136120707","email_marketing_consent":{"state":"subscribed","opt_in_level":"single_opt_in","consent_updated_at":"2024-06-13T11:57:11-04:00"},"sms_marketing_consent":{"state":"not_subscribed","opt_in_level":"single_opt_in","consent_updated_at":null,"consent_collected_from":"OTHER"},"default_address":{"address1":"Chestnut Street 92","city":"Louisville","province":"Kentucky","country":"United States","zip":"40202","country_code":"US"}}
	{"id":207119552,"email":"eva@example.de","created_at":"2024-02-01T10:00:00+01:00","first_name":"Eva","last_name":"Weiß","state":"enabled","verified_email":true,"email_marketing_consent":{"state":"unsubscribed","opt_in_level":null,"consent_updated_at":"2025-01-02T08:00:00+01:00"},"sms_marketing_consent":{"state":"pending","consent_updated_at":"2025-01-03T08:00:00Z"},"default_address":null}
	EOF
	crm-import contacts --db shop-api.db --ignore-unknown shop-customers.jsonl 2>err &&
	grep -q "read 2, created 2" err &&
	crm-contact list --db shop-api.db -f name,street,city,region,postal_code,country,tags,created_at -H >out &&
	printf "Bob Norman\tChestnut Street 92\tLouisville\tKentucky\t40202\tUS\tVIP\t2024-01-01T19:14:14Z\nEva Weiß\t\t\t\t\t\t\t2024-02-01T09:00:00Z\n" >expect &&
	test_cmp expect out &&
	for i in 1 2; do crm-contact consent show --db shop-api.db $i -f channel,status,at -H || return 1; done >out &&
	printf "email\tgranted\t2024-06-13T15:57:11Z\nemail\twithdrawn\t2025-01-02T07:00:00Z\n" >expect &&
	test_cmp expect out &&
	sed "s/2024-06-13T11:57:11-04:00/last June/" shop-customers.jsonl >bad.jsonl &&
	expect_exit 3 crm-import contacts --db shop-bad.db --ignore-unknown bad.jsonl 2>err &&
	grep -q "^crm-import: bad.jsonl:1: email_marketing_consent.consent_updated_at: .last June. is no time$" err
'
# Google Contacts' export as it is today: every column known, what has no
# field kept under a stable name, what repeats another left out.
test_expect_success 'Google Contacts'"'"' whole export imports as it is' '
	printf "%s\n" "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Website 1 - Label,Website 1 - Value" >gnew.csv &&
	printf "%s\n" "太郎,,山田,タロウ,,ヤマダ,Dr.,Jr.,Taro,Yamada Taro,Acme,CTO,R&D,1985-03-14,Met at the fair,https://photo.example/1,* myContacts ::: Work,* Work,taro@example.jp,Home,taro@home.example,Mobile,090-1234-5678,Work,\"1-2-3 Chiyoda" "Tokyo\",1-2-3 Chiyoda,Tokyo,PO 9,Tokyo,100-0001,Japan,Bldg 4,Profile,https://taro.example" >>gnew.csv &&
	crm-import contacts --db gnew.db -q gnew.csv &&
	crm-contact list --db gnew.db -f first_name,last_name,email,phone_e164,company,title,street,city,postal_code,country,birth_date,tags -H >out &&
	printf "太郎\t山田\ttaro@example.jp\t+819012345678\tAcme\tCTO\t1-2-3 Chiyoda\tTokyo\t100-0001\tJP\t1985-03-14\tWork\n" >expect &&
	test_cmp expect out &&
	crm-contact show --db gnew.db 1 -f custom.salutation,custom.name_suffix,custom.nickname,custom.phonetic_first_name,custom.phonetic_last_name,custom.department,custom.email2,custom.website,custom.po_box,custom.address_extended -H >out &&
	printf "Dr.\tJr.\tTaro\tタロウ\tヤマダ\tR&D\ttaro@home.example\thttps://taro.example\tPO 9\tBldg 4\n" >expect &&
	test_cmp expect out &&
	sqlite3 gnew.db "select count(*) from contact_custom where value like '"'"'%photo%'"'"' or value like '"'"'%Yamada Taro%'"'"'" >out &&
	echo 0 >expect && test_cmp expect out
'
test_expect_success 'Salesforce leads: the salutation, the web site and the id kept, Do Not Call withdraws calls' '
	printf "Lead ID,Salutation,First Name,Last Name,Company,Country,Phone,Email,Website,Lead Status,Email Opt Out,Do Not Call\n" >leads.csv &&
	printf "00Q1,Ms.,Ngozi,Okafor,Lagos Foods,Nigeria,01 234 5678,ngozi@example.ng,lagosfoods.example,Open - Not Contacted,0,1\n" >>leads.csv &&
	printf "00Q2,Mr.,Tunde,Bello,Lagos Foods,Nigeria,,tunde@example.ng,,Working - Contacted,1,0\n" >>leads.csv &&
	crm-import contacts --db leads.db -q leads.csv &&
	crm-contact list --db leads.db -f first_name,status,phone_e164,custom.salutation,custom.website,custom.source_id -H >out &&
	printf "Ngozi\tlead\t+23412345678\tMs.\tlagosfoods.example\t00Q1\nTunde\tprospect\t\tMr.\t\t00Q2\n" >expect &&
	test_cmp expect out &&
	for i in 1 2; do crm-contact consent show --db leads.db $i -f channel,status -H || return 1; done >out &&
	printf "phone\twithdrawn\nemail\twithdrawn\n" >expect && test_cmp expect out
'
test_expect_success 'a two-letter code under Country/Region Code, Country Code or CountryCode is the country' '
	printf "First Name,Country/Region Code,Phone\nAda,GB,020 7946 0001\n" >cc1.csv &&
	printf "First Name,Country Code,Phone\nBea,fr,01 42 68 53 00\n" >cc2.csv &&
	printf "First Name,CountryCode\nCyd,DE\n" >cc3.csv &&
	for f in cc1 cc2 cc3; do crm-import contacts --db cc.db -q $f.csv || return 1; done &&
	crm-contact list --db cc.db -f first_name,country,phone_e164 -H >out &&
	printf "Ada\tGB\t+442079460001\nBea\tFR\t+33142685300\nCyd\tDE\t\n" >expect && test_cmp expect out
'
test_expect_success 'a contact naming a missing company creates it once' '
	crm-company list -f name -H >out && printf "Acme\nGlobex\n" >expect && test_cmp expect out
'
test_expect_success 'a company made by a rejected row is made again by the next row naming it' '
	printf "first_name,email,company\nRia,bad-address,Umbrella\nSam,sam@umbrella.example,Umbrella\nTeo,teo@umbrella.example,Umbrella\n" >umb.csv &&
	expect_exit 3 crm-import contacts --db umb.db umb.csv 2>err &&
	grep -q "umb.csv:2: email:" err && grep -q "created 2, .* rejected 1; 1 new company" err &&
	crm-contact list --db umb.db -f first_name,company -H >out &&
	printf "Sam\tUmbrella\nTeo\tUmbrella\n" >expect.umb && test_cmp expect.umb out &&
	crm-company list --db umb.db -f name -H >out && echo Umbrella >expect && test_cmp expect out &&
	crm-db check --db umb.db
'
test_expect_success '--timings prints the seconds of each phase, and changes nothing else' '
	expect_exit 3 crm-import contacts --db umb2.db --timings umb.csv 2>err &&
	grep -q "created 2, .* rejected 1" err &&
	grep -Eq "^crm-import: (row|bulk|bulk, then row) mode; seconds: read [0-9.]+, read ahead [0-9.]+ \([0-9]+ threads?; phone numbers [0-9.]+\); rows [0-9.]+ \(match [0-9.]+, references [0-9.]+, normalise [0-9.]+, write [0-9.]+, audit [0-9.]+, tags and notes [0-9.]+, search index [0-9.]+, waiting for rows [0-9.]+, other [0-9.]+\), indexes [0-9.]+, search index and batch [0-9.]+, commit [0-9.]+$" err &&
	# The phases of the rows add up to the rows (each rounded to 0.005).
	sed -n "s/.*; rows \([0-9.]*\) (\([^)]*\)).*/\1 \2/p" err |
		awk "{ for (i = 2; i <= NF; i++) if (\$i ~ /^[0-9.]+,?\$/) { s += \$i; n++ }
		       d = \$1 - s; exit !(n == 9 && d < 0.06 && d > -0.06) }" &&
	crm-contact list --db umb2.db -f first_name,company -H >out && test_cmp expect.umb out
'
test_expect_success 'the summary counts and names the batch' '
	printf "email,first_name\nnew@example.org,New\nana@example.com,Ana\n" >two.csv &&
	crm-import contacts two.csv 2>err &&
	grep -q "read 2, created 1, updated 0, unchanged 0, skipped 1, rejected 0; batch 5" err
'
test_expect_success 'update changes only the columns given and audits old to new' '
	printf "email,city\nana@example.com,Recife\n" >city.csv &&
	crm-import contacts -q --on-conflict update city.csv &&
	crm-contact show 1 -f first_name,city -H >out && printf "Ana\tRecife\n" >expect && test_cmp expect out &&
	crm-db audit -H | grep -q "city: → Recife"
'
test_expect_success 'keys match normalised: upper-case email, phone in another format' '
	printf "email,title\nANA@Example.COM,Owner\n" >upper.csv &&
	crm-import contacts --on-conflict update upper.csv 2>err && grep -q "updated 1" err &&
	printf "phone,title\n(212) 555-0100,CEO\n" >phone.csv &&
	crm-import contacts --key phone --on-conflict update phone.csv 2>err && grep -q "updated 1" err &&
	crm-contact show 2 -f title -H >out && echo CEO >expect && test_cmp expect out
'
test_expect_success '--on-conflict error rejects a record that matches' '
	expect_exit 3 crm-import contacts --on-conflict error two.csv 2>err &&
	grep -q "two.csv:2: email: .new@example.org. already belongs to contact 5" err
'
test_expect_success 'a key repeated inside one file is reported, not doubled' '
	printf "email,first_name\ndup@example.org,One\nDUP@example.org,Two\n" >dup.csv &&
	expect_exit 3 crm-import contacts dup.csv 2>err &&
	grep -q "dup.csv:3: email: duplicate key: email .DUP@example.org. repeats" err &&
	crm-contact list -f first_name --where email=dup@example.org -H >out && echo One >expect && test_cmp expect out
'
test_expect_success 'companies match on domain, then name' '
	printf "name,domain,industry\nAcme,,tools\nInitech,initech.example,software\n" >co.csv &&
	crm-import companies --on-conflict update co.csv 2>err && grep -q "created 1, updated 1" err &&
	printf "Company Name,Domain Name,Sector\nInitech Corp,INITECH.example,consulting\n" >co2.csv &&
	crm-import companies --on-conflict update co2.csv 2>err && grep -q "created 0, updated 1" err &&
	crm-company list -f name,domain,industry -H --where domain=initech.example >out &&
	printf "Initech Corp\tinitech.example\tconsulting\n" >expect && test_cmp expect out &&
	crm-company list -f industry -H --where name=Acme >out && echo tools >expect && test_cmp expect out
'
test_expect_success 'rejects go to a file in the input format with line, field and reason' '
	printf "email,first_name,birth_date\nok1@example.org,A,1990-01-02\nbad,B,\nok2@example.org,C,31.02.1990\n" >rej.csv &&
	expect_exit 3 crm-import contacts -q --reject rejects.csv rej.csv &&
	tr -d "\r" <rejects.csv >out &&
	printf "email,first_name,birth_date,_line,_field,_error\n" >expect &&
	printf "bad,B,,3,email,invalid email address %s: no %s\n" "'"'bad'"'" "'"'@'"'" >>expect &&
	sed -n 3p out | grep -q "^ok2@example.org,C,31.02.1990,4,birth_date," &&
	head -2 out | test_cmp expect - &&
	crm-contact list -f email --where email=ok1@example.org -H >out && echo ok1@example.org >expect && test_cmp expect out
'
test_expect_success 'the reject file is readable by its owner only' '
	test "$(stat -c %a rejects.csv)" = 600
'
test_expect_success 'a CSV reject file keeps the apostrophe that stops a spreadsheet running a cell' '
	q=$(printf "\047") &&
	printf "email,title,phone\nbob@example,${q}=HYPERLINK(\"http://x\"),${q}+1 613 555 0123\n" >f.csv &&
	expect_exit 3 crm-import contacts -q --db formula.db --reject f.rej.csv f.csv &&
	sed -n 2p f.rej.csv | tr -d "\r" >out &&
	grep -q "^bob@example,\"${q}=HYPERLINK(\"\"http://x\"\")\",${q}+1 613 555 0123,2,email," out &&
	sed "s/^bob@example,/bob@example.org,/" f.rej.csv >f2.csv &&
	crm-import contacts -q --db formula.db f2.csv &&
	crm-contact list --db formula.db -f title,phone -H >out &&
	printf "=HYPERLINK(\"http://x\")\t+1 613 555 0123\n" >expect && test_cmp expect out
'
test_expect_success 'inputs of other columns: rejects under one header by name, or a stop' '
	printf "First Name,Email\nA,bad-one\n" >cols1.csv &&
	printf "Email,First Name\nbad-two,B\n" >cols2.csv &&
	printf "Email,Last Name\nbad-three,Lee\nc3@example.org,Cho\n" >cols3.csv &&
	expect_exit 3 crm-import contacts -q --reject cols.csv cols1.csv cols2.csv &&
	tr -d "\r" <cols.csv | cut -d, -f1-3 >out &&
	printf "First Name,Email,_line\nA,bad-one,2\nB,bad-two,2\n" >expect && test_cmp expect out &&
	snapshot before &&
	expect_exit 2 crm-import contacts --reject cols.csv cols1.csv cols3.csv 2>err &&
	grep -q "reject: a rejected row has column .Last Name., which the header" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'rejects of JSON Lines are JSON Lines' '
	printf "{\"email\":\"x\",\"first_name\":\"X\"}\n" >rej.jsonl &&
	expect_exit 3 crm-import contacts -q -r rej-out.jsonl rej.jsonl &&
	jq -r "[.email, ._line, ._field] | @tsv" rej-out.jsonl >out && printf "x\t1\temail\n" >expect && test_cmp expect out
'
# An API's nested members are columns named by their path, as the
# toolkit's own lists name custom fields; one that means nothing is named
# so in the error, and a rejected row's file says it flat.
test_expect_success 'nested JSON members are columns named by their path' '
	printf "%s\n" "{\"email\":\"nest@example.org\",\"custom\":{\"tier\":\"gold\",\"ids\":{\"erp\":17}},\"tags\":[\"a\",\"b\"]}" >nest.jsonl &&
	crm-import contacts -q nest.jsonl &&
	crm-contact list --where email=nest@example.org -f custom.tier,custom.ids.erp,tags -H >out &&
	printf "gold\t17\ta,b\n" >expect && test_cmp expect out &&
	printf "%s\n" "{\"email\":\"bad\",\"name\":{\"first\":\"Ada\"}}" >nest-bad.jsonl &&
	expect_exit 3 crm-import contacts nest-bad.jsonl 2>err &&
	grep -q "nest-bad.jsonl:1: unknown column .name\.first. (map it with --map" err &&
	expect_exit 3 crm-import contacts -q --ignore-unknown -r nest-rej.jsonl nest-bad.jsonl &&
	jq -r "[.email, .\"name.first\", ._field] | @tsv" nest-rej.jsonl >out &&
	printf "bad\tAda\temail\n" >expect && test_cmp expect out
'
test_expect_success 'a file whose lines end in CR alone (Excel for Mac) is read line by line' '
	printf "First Name,Email\rMac,mac@cr.example\rOld,old@cr.example\r" >mac.csv &&
	crm-import contacts -q mac.csv &&
	crm-contact list --where "email~cr.example" -f first_name -H >out &&
	printf "Mac\nOld\n" >expect && test_cmp expect out
'
test_expect_success 'rejects of a semicolon file with a BOM keep both, for the spreadsheet' '
	printf "\357\273\277Vorname;Nachname;E-Mail-Adresse\r\nJ\303\274rgen;Wei\303\237;bad@\r\n" >semi.csv &&
	expect_exit 3 crm-import contacts -q -r semi-rej.csv semi.csv &&
	printf "\357\273\277Vorname;Nachname;E-Mail-Adresse;_line;_field;_error\r\n" >expect &&
	printf "J\303\274rgen;Wei\303\237;bad@;2;email;invalid email address %s: empty domain\r\n" "'"'bad@'"'" >>expect &&
	test_cmp expect semi-rej.csv
'
test_expect_success 'a reject file, fixed, imports again' '
	sed "s/^bad,B,/fixed@example.org,B,/; s/31\.02\.1990/1990-02-28/" rejects.csv >fixed.csv &&
	crm-import contacts -q fixed.csv &&
	crm-contact list -f email,birth_date -H | grep -E "^(fixed|ok2)@" >out &&
	printf "fixed@example.org\t\nok2@example.org\t1990-02-28\n" >expect && test_cmp expect out &&
	jq -c ".email = \"fixed2@example.org\"" rej-out.jsonl >fixed.jsonl &&
	crm-import contacts -q fixed.jsonl &&
	crm-contact list -f first_name -H --where email=fixed2@example.org >out &&
	echo X >expect && test_cmp expect out
'
test_expect_success 'a vCard line may have blanks after BEGIN:VCARD and END:VCARD' '
	printf "BEGIN:VCARD \r\nVERSION:3.0\r\nN:Blank;Bea;;;\r\nEMAIL:bea@example.org\r\nEND:VCARD\t\r\n" >blank.vcf &&
	crm-import contacts -q blank.vcf &&
	crm-contact list -f first_name,last_name -H --where email=bea@example.org >out &&
	printf "Bea\tBlank\n" >expect && test_cmp expect out
'
test_expect_success 'rows of too few and too many fields: rejects under the input'"'"'s header, fixed, import again' '
	printf "first_name,last_name,email,Phone\nRa,Short,bad\nRb,Bad,also-bad,+44 20 7946 0958\nRc,Long,rl@example.org,,extra\n" >rag.csv &&
	expect_exit 3 crm-import contacts -q --reject rag.rej.csv rag.csv &&
	cat >expect <<-\EOF &&
	first_name,last_name,email,Phone,_line,_field,_error
	Ra,Short,bad,,2,,3 fields where the header has 4
	Rb,Bad,also-bad,'"'"'+44 20 7946 0958,3,email,invalid email address '"'"'also-bad'"'"': no '"'"'@'"'"'
	Rc,Long,rl@example.org,,4,,5 fields where the header has 4: '"'"'extra'"'"' has no column
	EOF
	tr -d "\r" <rag.rej.csv >out && test_cmp expect out &&
	sed "s/,bad,,2/,ra@example.org,,2/; s/also-bad/rb@example.org/" rag.rej.csv >rag.fix.csv &&
	crm-import contacts -q rag.fix.csv &&
	crm-contact list -f first_name,email -H --where "last_name=Short" >out &&
	printf "Ra\tra@example.org\n" >expect && test_cmp expect out
'
test_expect_success 'a reject file that is also the input is refused before it is emptied' '
	printf "email\nagain@example.org\nbad\n" >again.csv && cp again.csv again.keep &&
	snapshot before &&
	expect_exit 2 crm-import contacts --reject again.csv again.csv 2>err &&
	grep -q "reject: .again.csv. is the input .again.csv.; name another file" err &&
	ln -f again.csv again-link.csv &&
	expect_exit 2 crm-import contacts --reject ./again-link.csv again.csv 2>err &&
	test_cmp again.keep again.csv && snapshot after && test_cmp before after
'
test_expect_success 'a reject file that cannot be written fails the import, and nothing is imported' '
	snapshot before &&
	expect_exit 1 crm-import contacts --reject /dev/full again.csv 2>err &&
	grep -q "^crm-import: /dev/full: write error: No space left on device" err &&
	! grep -q "; batch" err &&
	snapshot after && test_cmp before after
'
test_expect_success '--max-errors rolls everything back past the limit' '
	snapshot before &&
	printf "email\nm1@example.org\nbad1\nbad2\n" >max.csv &&
	expect_exit 3 crm-import contacts --max-errors 1 max.csv 2>err &&
	grep -q "more than 1 records rejected; nothing imported" err &&
	snapshot after && test_cmp before after &&
	expect_exit 3 crm-import contacts -q --max-errors 2 max.csv &&
	crm-contact list -f email --where email=m1@example.org -H | grep -q m1
'
test_expect_success '--dry-run checks and counts but writes nothing' '
	snapshot before &&
	printf "email\ndry@example.org\n" >dry.csv &&
	crm-import contacts -n dry.csv 2>err && grep -q "created 1.*dry run, nothing written" err &&
	snapshot after && test_cmp before after
'
test_expect_success '--dry-run against a database not there yet creates nothing' '
	printf "email\nfirst@example.org\nfirst@example.org\nbad\n" >first.csv &&
	for mode in row bulk; do
		expect_exit 3 crm-import contacts --db new/crm.db --mode $mode -n --key email first.csv 2>err &&
		grep -q "created 1, .*rejected 2; dry run" err &&
		! test -e new || return 1
	done &&
	expect_exit 1 crm-contact set --db new/crm.db -n 1 --city Porto 2>err &&
	grep -q "no contact 1" err && ! test -e new
'
test_expect_success 'list shows the batches' '
	crm-import list -f batch,entity,source,created -H --format csv | tr -d "\r" | head -2 >out &&
	printf "1,contact,google.csv,1\n2,contact,outlook.csv,1\n" >expect && test_cmp expect out
'
test_expect_success 'undo removes what a batch created and restores what it updated' '
	snapshot before &&
	printf "email,city,tags,notes\nana@example.com,Lisboa,vip,called back\nfresh@example.org,Porto,,\n" >u.csv &&
	crm-import contacts --on-conflict update u.csv 2>err &&
	batch=$(sed -n "s/.*batch \([0-9]*\)$/\1/p" err) &&
	crm-import undo "$batch" 2>err && grep -q "removed 1, restored 1" err &&
	crm-contact show 1 -f city,tags -H >out && printf "Recife\t\n" >expect && test_cmp expect out &&
	crm-contact timeline 1 >out && ! grep -q "called back" out &&
	crm-contact list -f email -H >out && ! grep -q fresh out &&
	expect_exit 3 crm-import undo "$batch" 2>err && grep -q "already undone" err
'
test_expect_success 'undo of a batch that created people, companies, tags and notes leaves the database as it was' '
	printf "first_name,email,company,tags,notes,Shoe Size\nOld,old@example.org,Oldco,a,n1,40\n" >seed.csv &&
	crm-import contacts --db undo.db --keep-unknown seed.csv 2>/dev/null &&
	db_rows undo.db >before &&
	{ echo "first_name,last_name,email,company,tags,notes,Shoe Size,phone,country" &&
	  for i in $(seq 1 300); do echo "P$i,Ł$i,p$i@example.org,Co $((i % 7)),t$((i % 3)),note $i,$i,030 9018$((2000 + i)),DE"; done &&
	  echo "Late,Comer,late@example.org,Oldco,,,,,"; } >many.csv &&
	crm-import contacts --db undo.db --keep-unknown many.csv 2>err &&
	grep -q "created 301, .*; 7 new companies; batch 2" err &&
	crm-contact list --db undo.db --search P150 -f email -H >out && echo p150@example.org >expect && test_cmp expect out &&
	crm-import undo --db undo.db 2 2>err && grep -q "removed 308, restored 0" err &&
	db_rows undo.db >after && test_cmp before after &&
	expect_exit 1 crm-contact list --db undo.db --search P150 -f email -H >out && test ! -s out &&
	crm-db check --db undo.db
'
# Fewer records left than the batch made: the undo wrote the search index
# again from those left, keeping its settings.
test_expect_success 'a search index written again by an undo keeps its settings and finds what is left' '
	sqlite3 undo.db "SELECT k, v FROM contacts_fts_config WHERE k <> \"version\" ORDER BY k" >out &&
	printf "automerge|16\ncrisismerge|64\n" >expect && test_cmp expect out &&
	crm-contact list --db undo.db --search old -f email -H >out &&
	echo old@example.org >expect && test_cmp expect out
'
# More left than the batch made: its entries are taken out one by one.
test_expect_success 'undo of a small batch into many records takes out just its search entries' '
	crm-import contacts --db undo.db --keep-unknown many.csv 2>/dev/null &&
	db_rows undo.db >before &&
	printf "first_name,email,company,notes\nNew,new@example.org,New Co,fresh\n" >one.csv &&
	crm-import contacts --db undo.db one.csv 2>err && grep -q "batch 4" err &&
	crm-import undo --db undo.db 4 2>err && grep -q "removed 2, restored 0" err &&
	db_rows undo.db >after && test_cmp before after &&
	expect_exit 1 crm-contact list --db undo.db --search fresh -f email -H >out &&
	crm-contact list --db undo.db --search P150 -f email -H >out &&
	echo p150@example.org >expect && test_cmp expect out &&
	crm-db check --db undo.db
'
test_expect_success 'a file read ahead on several threads, on one, and the same rows from a pipe give the same database, rejects and summary' '
	{ echo "first_name,last_name,email,phone,country,company,tags,notes,Shoe Size" &&
	  for i in $(seq 1 1500); do
		case $((i % 9)) in
		0) echo "Bad$i,X,bad-$i@,,,,,," ;;
		1) echo "Ph$i,Y,ph$i@example.org,+1 212 555 01$((i % 100)),US,Acme $((i % 4)),a,n$i,$i" ;;
		2) echo "Dup$i,Z,ph$((i - 1))@example.org,,,,,," ;;
		3) echo "Nat$i,Ü,nat$i@example.org,030 901820$((i % 10)),DE,,b,," ;;
		4) echo "BadPhone$i,Q,bp$i@example.org,12,GB,New Co $i,,," ;;
		5) printf "Bytes$i,\377,b$i@example.org,,,,,,\n" ;;
		6) echo "Short$i,only" ;;
		*) echo "Ok$i,Öz,ok$i@example.org,01 42 68 53 0$((i % 10)),FR,Acme $((i % 4)),,,$i" ;;
		esac
	  done; } >mixed.csv &&
	expect_exit 3 crm-import contacts --db file.db --keep-unknown --reject file-rej.csv mixed.csv 2>file.err &&
	expect_exit 3 crm-import contacts --db pipe.db --keep-unknown --format csv --reject pipe-rej.csv <mixed.csv 2>pipe.err &&
	grep -q "rejected [1-9]" file.err && sed "s/<stdin>/mixed.csv/" pipe.err >pipe.err2 && test_cmp file.err pipe.err2 &&
	test_cmp file-rej.csv pipe-rej.csv &&
	db_rows file.db >file.content && db_rows pipe.db >pipe.content && test_cmp file.content pipe.content &&
	sqlite3 file.db "SELECT entity, entity_id, action, changes FROM audit ORDER BY seq" >file.audit &&
	sqlite3 pipe.db "SELECT entity, entity_id, action, changes FROM audit ORDER BY seq" >pipe.audit &&
	test_cmp file.audit pipe.audit &&
	cpu=$(taskset -pc $$ | sed "s/.*: //; s/[-,].*//") &&
	expect_exit 3 taskset -c "$cpu" crm-import contacts --db one.db --keep-unknown --reject one-rej.csv --timings mixed.csv 2>one.err &&
	grep -q "(1 thread; phone numbers [0-9.]*)" one.err && sed "/ seconds: /d" one.err >one.err2 && test_cmp file.err one.err2 &&
	test_cmp file-rej.csv one-rej.csv && db_rows one.db >one.content && test_cmp file.content one.content
'
test_expect_success 'undo refuses after later changes, unless --force' '
	printf "email,city\nana@example.com,Faro\n" >f.csv &&
	crm-import contacts --on-conflict update f.csv 2>err &&
	batch=$(sed -n "s/.*batch \([0-9]*\)$/\1/p" err) &&
	crm-contact set 1 --title Boss 2>/dev/null &&
	expect_exit 3 crm-import undo "$batch" 2>err &&
	grep -q "1 record changed since import batch $batch (contact 1: set by tester" err &&
	crm-contact show 1 -f city -H >out && echo Faro >expect && test_cmp expect out &&
	crm-import undo --force "$batch" 2>/dev/null &&
	crm-contact show 1 -f city -H >out && echo Recife >expect && test_cmp expect out
'
# A person entered by hand, the same person imported, and the two merged:
# the batch's entries moved to the survivor, which the batch never made.
test_expect_success 'undo after a merge names the merge first; unmerge, then undo, unforced' '
	export CRM_DB="$PWD/merged.db" &&
	crm-db init >/dev/null &&
	crm-contact add --first-name Ada --last-name Lovelace --email ada@example.org >/dev/null &&
	crm-contact note 1 "Met at the fair" >/dev/null &&
	printf "first_name,last_name,email,title\nAda,Lovelace,ada.l@home.example,Countess\n" >m.csv &&
	crm-import contacts -q m.csv && crm-contact merge 1 2 >/dev/null &&
	db_rows merged.db >before &&
	for force in "" --force; do
		expect_exit 3 crm-import undo $force 1 2>err &&
		grep -q "contact 1 was merged since with records import batch 1 did not create (merge 1); unmerge it first" err ||
		return 1
	done &&
	db_rows merged.db >after && test_cmp before after &&
	: a merge undone since is no change &&
	crm-dedup unmerge 1 >/dev/null 2>&1 &&
	crm-import undo 1 2>err && grep -q "removed 1, restored 0" err &&
	crm-contact list -f id,email -H >out && printf "1\tada@example.org\n" >expect &&
	test_cmp expect out && crm-contact timeline 1 -H | grep -q "Met at the fair"
'
test_expect_success 'undo after a merge inside the batch removes the survivor with the rest' '
	export CRM_DB="$PWD/inside.db" &&
	crm-db init >/dev/null &&
	printf "first_name,last_name,email\nBo,Ek,bo@example.se\nBo,Ek,bo.ek@home.example\n" >in.csv &&
	crm-import contacts -q in.csv && crm-contact merge 1 2 >/dev/null &&
	crm-import undo --force 1 2>err && grep -q "removed 1, restored 0" err &&
	expect_exit 1 crm-contact list -a -H >/dev/null
'
test_expect_success 'undo after a merge inside the batch undone since needs no --force' '
	export CRM_DB="$PWD/inside2.db" &&
	crm-db init >/dev/null &&
	printf "first_name,last_name,email\nBo,Ek,bo@example.se\nBob,Ek,bo.ek@home.example\n" >in2.csv &&
	crm-import contacts -q in2.csv && crm-contact merge 1 2 >/dev/null &&
	crm-dedup unmerge 1 >/dev/null 2>&1 &&
	crm-import undo 1 2>err && grep -q "removed 2, restored 0" err &&
	expect_exit 1 crm-contact list -a -H >/dev/null
'
test_expect_success 'undo of a batch whose person was erased since: nothing to refuse for' '
	export CRM_DB="$PWD/erased.db" &&
	crm-db init >/dev/null &&
	printf "email,first_name\nzoe@example.no,Zoe\nkari@example.no,Kari\n" >e.csv &&
	crm-import contacts -q e.csv && crm-contact erase -q 1 &&
	crm-import undo 1 2>err && grep -q "removed 1, restored 0" err &&
	crm-contact list -a -f id,erased_at -H >out && printf "1\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'batches undone newest first need no --force' '
	export CRM_DB="$PWD/newest.db" &&
	crm-db init >/dev/null &&
	printf "email,city\nnia@example.org,Lagos\n" >n1.csv &&
	printf "email,city\nnia@example.org,Abuja\n" >n2.csv &&
	crm-import contacts -q n1.csv && crm-import contacts -q --on-conflict update n2.csv &&
	crm-import undo 2 2>/dev/null && crm-import undo 1 2>err &&
	grep -q "removed 1, restored 0" err &&
	expect_exit 1 crm-contact list -a -H >/dev/null &&
	printf "email,city\nodu@example.org,Jos\n" >n3.csv &&
	printf "email,city\nodu@example.org,Kano\n" >n4.csv &&
	crm-import contacts -q n3.csv && crm-import contacts -q --on-conflict update n4.csv &&
	crm-contact set -q 2 --title Chief && crm-import undo --force 4 2>/dev/null &&
	expect_exit 3 crm-import undo 3 2>err && grep -q "contact 2: set by tester" err
'
test_expect_success 'undo of a missing batch exits 1' '
	expect_exit 1 crm-import undo 999 2>err && grep -q "no import batch 999" err
'

for f in csv tsv jsonl json yaml; do
	test_expect_success "contacts round-trip through $f with no change" "
		snapshot before &&
		crm-contact list --format $f | crm-import contacts --format $f --key id --on-conflict update 2>err &&
		grep -q 'updated 0, unchanged [1-9][0-9]*, skipped 0, rejected 0; nothing changed' err &&
		snapshot after && test_cmp before after
	"
	test_expect_success "companies round-trip through $f with no change" "
		snapshot before &&
		crm-company list --format $f | crm-import companies --format $f --key id --on-conflict update 2>err &&
		grep -q 'updated 0, unchanged [1-9][0-9]*, skipped 0, rejected 0; nothing changed' err &&
		snapshot after && test_cmp before after
	"
done

# A CSV import leaves out the apostrophe a spreadsheet's text begins with
# ('+1 613, '02108, '=A1); the CSV writer puts one more before a value
# that begins so, and no other format takes one away, so such values come
# back as they went out, with --csv-safe and without.
test_expect_success 'values that begin with an apostrophe round-trip through every format' '
	rm -f marks.db* &&
	for t in "'"'"'1234" "'"'"'=SUM(A1)" "'"'"'+1 555" "'"'"''"'"'x" "'"'"'90s fan" "=1+2" "-5"; do
		crm-contact add --db marks.db --first-name X --title "$t" -q || return 1
	done &&
	crm-contact list --db marks.db -f title -H >before &&
	for f in csv tsv jsonl json yaml "csv --csv-safe"; do
		crm-contact list --db marks.db --format $f -f id,title |
		crm-import contacts --db marks.db --format ${f%% *} --key id --on-conflict update 2>err &&
		grep -q "updated 0, unchanged 7, skipped 0, rejected 0; nothing changed" err || return 1
	done &&
	crm-contact list --db marks.db -f title -H >after && test_cmp before after &&
	crm-contact list --db marks.db --format csv -f title -H | tr -d "\r" >out &&
	printf "%s\n" "'"'"''"'"'1234" "'"'"''"'"'=SUM(A1)" "'"'"''"'"'+1 555" "'"'"''"'"''"'"'x" "'"'"'90s fan" "=1+2" "-5" >expect &&
	test_cmp expect out
'
test_expect_success 'a re-import writes only the rows that differ, however little' '
	printf "email,first_name,last_name,phone,country,Favourite Colour\n" >same.csv &&
	cp same.csv moved.csv &&
	printf "r1@example.org,Ana,Souza,+55 11 91234-5678,BR,red\nr2@example.org,Bob,Stone,,,blue\n" >>same.csv &&
	printf "r3@example.org,Chen,Wei,,,\nr4@example.org,Dana,Ruiz,,,green\nr5@example.org,Eve,Lund,,SE,\n" >>same.csv &&
	crm-import contacts -q --db same.db --keep-unknown same.csv &&
	sqlite3 same.db .dump >before &&
	crm-import contacts --db same.db --keep-unknown --key email --on-conflict update same.csv 2>err &&
	grep -q "updated 0, unchanged 5, skipped 0, rejected 0; nothing changed" err &&
	sqlite3 same.db .dump >after && test_cmp before after &&
	# The number as typed, a letter'"'"'s case, a custom field given or
	# cleared: each is a change.  A country in lower case is not.
	printf "r1@example.org,Ana,Souza,+55 (11) 91234-5678,BR,red\nr2@example.org,BOB,Stone,,,blue\n" >>moved.csv &&
	printf "r3@example.org,Chen,Wei,,,pink\nr4@example.org,Dana,Ruiz,,,\nr5@example.org,Eve,Lund,,se,\n" >>moved.csv &&
	crm-import contacts --db same.db --keep-unknown --key email --on-conflict update moved.csv 2>err &&
	grep -q "updated 4, unchanged 1, skipped 0, rejected 0" err &&
	sqlite3 same.db "SELECT entity_id, changes FROM audit WHERE action = '"'"'set'"'"' ORDER BY seq" >out &&
	cat >expect <<-\EOF &&
	1|{"phone":["+55 11 91234-5678","+55 (11) 91234-5678"]}
	2|{"first_name":["Bob","BOB"]}
	3|{"custom.favourite_colour":[null,"pink"]}
	4|{"custom.favourite_colour":["green",null]}
	EOF
	test_cmp expect out
'
test_expect_success 'archived and erased records round-trip too; changing an erased one is refused' '
	crm-contact rm 2 2>/dev/null && crm-contact erase 3 2>/dev/null &&
	snapshot before &&
	crm-contact list --all --format jsonl | crm-import contacts --format jsonl --key id --on-conflict update 2>err &&
	grep -q "updated 0, .* rejected 0; nothing changed" err &&
	snapshot after && test_cmp before after &&
	echo "{\"id\":3,\"city\":\"X\"}" >erased.jsonl &&
	expect_exit 3 crm-import contacts --key id --on-conflict update erased.jsonl 2>err &&
	grep -q "erased.jsonl:1: contact 3 was erased and cannot be changed" err
'
test_expect_success 'CSV: quoted commas, quotes, newlines, CRLF and a BOM' '
	printf "\xef\xbb\xbfemail,first_name,title\r\nq1@example.org,\"Smith, Jr.\",\"says \"\"hi\"\"\nand bye\"\r\n" >q.csv &&
	crm-import contacts -q q.csv &&
	crm-contact list --where email=q1@example.org -f first_name,title --format json >out &&
	jq -r ".[0].first_name, .[0].title" out >got && printf "Smith, Jr.\nsays \"hi\"\nand bye\n" >expect && test_cmp expect got
'
test_expect_success 'CSV: --delimiter and --no-header --columns' '
	printf "nh@example.org;Nadia\n" >nh.csv &&
	crm-import contacts -q -d ";" --no-header --columns email,first_name nh.csv &&
	crm-contact list --where email=nh@example.org -f first_name -H >out && echo Nadia >expect && test_cmp expect out &&
	expect_exit 2 crm-import contacts --no-header nh.csv 2>err && grep -q "go together" err
'
test_expect_success 'YAML sequence and JSON array' '
	printf -- "- email: y1@example.org\n  first_name: Yuki\n" >y.yaml &&
	printf "[{\"email\":\"j1@example.org\",\"first_name\":\"Jan\"}]" >j.json &&
	crm-import contacts -q y.yaml j.json &&
	crm-contact list --where "email~@example.org" -f first_name -H | grep -q Yuki &&
	crm-contact list --where email=j1@example.org -f first_name -H | grep -q Jan
'
test_expect_success 'vCard: folding, N, several EMAIL and TEL, ORG, CATEGORIES' '
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL;TYPE=work:jane@exa\r\n mple.org\r\nEMAIL:jd@home.example\r\nTEL:+1 212 555 0199\r\nORG:Vcard Co\r\nCATEGORIES:friends,ny\r\nEND:VCARD\r\n" >c.vcf &&
	crm-import contacts -q c.vcf &&
	crm-contact list --where email=jane@example.org -f first_name,last_name,company,tags,custom.email2 -H >out &&
	printf "Jane\tDoe\tVcard Co\tfriends,ny\tjd@home.example\n" >expect && test_cmp expect out
'
test_expect_success 'vCard 2.1: quoted-printable Latin-1 is read as its CHARSET says' '
	printf "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\nEMAIL:jm@old.example\r\nEND:VCARD\r\n" >old.vcf &&
	crm-import contacts -q old.vcf &&
	crm-contact list --where email=jm@old.example -f first_name,last_name -H >out &&
	printf "J\303\274rgen\tM\303\274ller\n" >expect && test_cmp expect out
'
test_expect_success 'vCard 2.1: a CHARSET no one knows rejects the card, which keeps the name' '
	printf "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=X-NONE;ENCODING=QUOTED-PRINTABLE:M=FCller;Jan\r\nEMAIL:jm@none.example\r\nEND:VCARD\r\n" >none.vcf &&
	expect_exit 3 crm-import contacts --db none.db --reject none.rej.vcf none.vcf 2>err &&
	grep -q "none.vcf:1: N: unknown CHARSET .X-NONE. (line 3)" err &&
	grep -q "^$(printf "N:M\357\277\275ller;Jan;;;")" none.rej.vcf &&
	sed "s/^N:.*/N:Muller;Jan;;;/; /^FN:/d" none.rej.vcf >fixed.vcf && crm-import contacts -q --db none.db fixed.vcf &&
	crm-contact list --db none.db -f first_name,last_name,email -H >out &&
	printf "Jan\tMuller\tjm@none.example\n" >expect && test_cmp expect out
'
# Latin-1 as Windows saves it, its curly apostrophe at 0x92, is read as
# web browsers read it: Windows-1252.
test_expect_success '--encoding converts Latin-1 and UTF-16' '
	printf "email,first_name,last_name\nl1@example.org,Jos\xe9,O\x92Brien\n" >l1.csv &&
	crm-import contacts -q --encoding latin1 l1.csv &&
	crm-contact list --where email=l1@example.org -f last_name -H >out &&
	echo "O’Brien" >expect && test_cmp expect out &&
	printf "email,first_name\nu16@example.org,Zo\xc3\xab\n" | iconv -f UTF-8 -t UTF-16 >u16.csv &&
	crm-import contacts -q --encoding utf-16 u16.csv &&
	crm-contact list --where "email~example.org" -f first_name -H | grep -q "^José$" &&
	crm-contact list --where email=u16@example.org -f first_name -H | grep -q "^Zoë$"
'
# Excel on Windows writes cp1252 (or UTF-16 as Unicode Text) and reads its
# rejects back the same way; fixed, they import with the same command.
test_expect_success 'a CSV or TSV reject file is in the input'"'"'s character set' '
	printf "name;email;city\nJos\xe9 Mu\xf1oz;bad;S\xe3o Paulo\n" >cp.csv &&
	expect_exit 3 crm-import contacts --db enc.db -q -e cp1252 -r cp-rej.csv cp.csv &&
	printf "name;email;city;_line;_field;_error\r\nJos\xe9 Mu\xf1oz;bad;S\xe3o Paulo;2;email;invalid email address \047bad\047: no \047@\047\r\n" >expect &&
	test_cmp expect cp-rej.csv &&
	sed -i "s/;bad;/;jose@example.org;/" cp-rej.csv &&
	crm-import contacts --db enc.db -q -e cp1252 cp-rej.csv &&
	crm-contact list --db enc.db -f name,city -H >out &&
	printf "Jos\303\251 Mu\303\261oz\tS\303\243o Paulo\n" >expect && test_cmp expect out &&
	printf "Name\tE-mail Address\nZo\303\253\tbad\n" | iconv -f UTF-8 -t UTF-16 >u16.tsv &&
	expect_exit 3 crm-import contacts --db enc.db -q -r u16-rej.tsv u16.tsv &&
	iconv -f UTF-16 -t UTF-8 u16-rej.tsv | head -2 | cut -f1,2 >out &&
	printf "Name\tE-mail Address\nZo\303\253\tbad\n" >expect && test_cmp expect out
'
test_expect_success 'mapping file: columns, split, date format, constants, tags, ignore' '
	printf "Full Name;Signup;Shoe Size;Row\nMaria Silva;31/12/1990;42;1\n\"Smith, John\";01/02/1985;44;2\n" >m.csv &&
	printf "columns:\n  Full Name: split\n  Signup: { field: birth_date, date_format: \"%%d/%%m/%%Y\" }\n  Shoe Size: custom.shoe\nset:\n  source: fair\ntags: [fair2026]\nignore: [Row]\n" >m.yaml &&
	crm-import contacts -q -d ";" --map m.yaml m.csv &&
	crm-contact list --tag fair2026 -f first_name,last_name,birth_date,source,custom.shoe -H >out &&
	printf "Maria\tSilva\t1990-12-31\tfair\t42\nJohn\tSmith\t1985-02-01\tfair\t44\n" >expect && test_cmp expect out
'
# Exports from other systems name countries, in English or the language
# of whoever typed them; a national phone number is read in the country
# the row names.
test_expect_success 'country names and alpha-3 codes are stored as codes' '
	cat >countries.csv <<-\EOF &&
	First Name,Last Name,Email,Phone Number,Country/Region
	Hans,Meier,hans@countries.example,0171 1234567,Germany
	Ewa,Nowak,ewa@countries.example,512 345 678,Polska
	Ana,Souza,ana@countries.example,,BRA
	Jo,Bloggs,jo@countries.example,020 7946 0018,UK
	Kim,Lee,kim@countries.example,02 312 3456,Korea
	Arta,Krasniqi,arta@countries.example,044 123 456,Kosovo
	EOF
	expect_exit 3 crm-import contacts countries.csv 2>err &&
	grep -q "countries.csv:6: country: .Korea. names more than one country: give its two-letter code" err &&
	grep -q "created 5," err &&
	crm-contact list --where "email~countries.example" -f email,country,phone_e164 -H >out &&
	cat >expect <<-\EOF &&
	hans@countries.example	DE	+491711234567
	ewa@countries.example	PL	+48512345678
	ana@countries.example	BR	
	jo@countries.example	GB	+442079460018
	arta@countries.example	XK	+38344123456
	EOF
	test_cmp expect out
'
# Excel writes semicolons where the comma is the decimal mark, and the
# headers of a German, French or Russian export are in its language.
test_expect_success 'a semicolon file with German headers, a French and a Russian export' '
	printf "sep=;\r\nVorname;Nachname;E-Mail-Adresse;Mobiltelefon;Firma;Ort;PLZ;Land;Geburtstag\r\n" >de.csv &&
	printf "J\303\274rgen;Wei\303\237;juergen@lang.example;0171 1234567;Wei\303\237 GmbH;Berlin;10115;Deutschland;1970-01-02\r\n" >>de.csv &&
	printf "Pr\303\251nom,Nom de famille,Adresse de messagerie,T\303\251l\303\251phone mobile,Soci\303\251t\303\251,Ville,Code postal,Pays/R\303\251gion\n" >fr.csv &&
	printf "\303\211milie,Durand,emilie@lang.example,06 12 34 56 78,ACME SA,Lyon,69001,France\n" >>fr.csv &&
	printf "\320\230\320\274\321\217,\320\244\320\260\320\274\320\270\320\273\320\270\321\217,E-mail,\320\242\320\265\320\273\320\265\321\204\320\276\320\275,\320\241\321\202\321\200\320\260\320\275\320\260\n" >ru.csv &&
	printf "\320\236\320\273\321\214\320\263\320\260,\320\237\320\265\321\202\321\200\320\276\320\262\320\260,olga@lang.example,8 912 345-67-89,\320\240\320\276\321\201\321\201\320\270\321\217\n" >>ru.csv &&
	for f in de fr ru; do crm-import contacts -q $f.csv || return 1; done &&
	crm-contact list --where "email~lang.example" \
		-f last_name,phone_e164,company,city,postal_code,country,birth_date -H >out &&
	printf "Wei\303\237\t+491711234567\tWei\303\237 GmbH\tBerlin\t10115\tDE\t1970-01-02\n" >expect &&
	printf "Durand\t+33612345678\tACME SA\tLyon\t69001\tFR\t\n" >>expect &&
	printf "\320\237\320\265\321\202\321\200\320\276\320\262\320\260\t+79123456789\t\t\t\tRU\t\n" >>expect &&
	test_cmp expect out
'
test_expect_success 'companies from German and Russian exports' '
	printf "Firmenname;Branche;Anzahl der Mitarbeiter;Webseite;Telefonnummer;Ort;Land\r\n" >firmen.csv &&
	printf "Lang Werke AG;Maschinenbau;51-200;lang.example;030 1234567;Berlin;Deutschland\r\n" >>firmen.csv &&
	printf "\320\235\320\260\320\267\320\262\320\260\320\275\320\270\320\265 \320\272\320\276\320\274\320\277\320\260\320\275\320\270\320\270," >ru-co.csv &&
	printf "\320\240\320\260\320\261\320\276\321\207\320\270\320\271 \321\202\320\265\320\273\320\265\321\204\320\276\320\275,\320\241\321\202\321\200\320\260\320\275\320\260\n" >>ru-co.csv &&
	printf "\320\240\320\276\320\263\320\260 \320\270 \320\272\320\276\320\277\321\213\321\202\320\260,8 495 123-45-67,\320\240\320\276\321\201\321\201\320\270\321\217\n" >>ru-co.csv &&
	crm-import companies -q firmen.csv &&
	crm-import companies -q ru-co.csv &&
	crm-company list --where "country=DE" -f name,industry,size,website,phone_e164,city -H >out &&
	printf "Lang Werke AG\tMaschinenbau\t51-200\tlang.example\t+49301234567\tBerlin\n" >expect &&
	test_cmp expect out &&
	crm-company list --where "country=RU" -f name,phone_e164 -H >out &&
	printf "\320\240\320\276\320\263\320\260 \320\270 \320\272\320\276\320\277\321\213\321\202\320\260\t+74951234567\n" >expect &&
	test_cmp expect out
'
# A German "Name" beside "Vorname" is the family name; an English "Full
# Name" beside "First Name" gives what the first name leaves; a French
# "Nom" is the family name beside "Prénom", a Spanish "Nombre" the given
# name beside "Apellidos", and alone either cannot be told.
test_expect_success 'a name column beside one part of the name gives the other part' '
	printf "Vorname;Name;E-Mail\nRichard;von Weizs\303\244cker;rw@parts.example\n" >de-name.csv &&
	printf "First Name,Full Name,Email\nAda,Ada Lovelace,al@parts.example\n" >en-full.csv &&
	printf "Grace,\"Hopper, Grace\",gh@parts.example\n,Edsger Dijkstra,ed@parts.example\n" >>en-full.csv &&
	printf "Bill,William Gates,wg@parts.example\n" >>en-full.csv &&
	printf "Last Name,Display Name,Email\nTuring,Alan Turing,at@parts.example\n" >en-last.csv &&
	printf "Pr\303\251nom,Nom,Courriel\n\303\211milie,Durand,emd@parts.example\n" >fr-nom.csv &&
	printf "Nombre,Apellidos,Correo electr\303\263nico\nJuan Carlos,Garc\303\255a L\303\263pez,jc@parts.example\n" >es-nombre.csv &&
	for f in de-name en-full en-last fr-nom es-nombre; do crm-import contacts -q $f.csv || return 1; done &&
	crm-contact list --where "email~parts.example" -f first_name,last_name -H >out &&
	cat >expect <<-\EOF &&
	Richard	von Weizsäcker
	Ada	Lovelace
	Grace	Hopper
	Edsger	Dijkstra
	Bill	Gates
	Alan	Turing
	Émilie	Durand
	Juan Carlos	García López
	EOF
	test_cmp expect out &&
	printf "Nom,Courriel\nDurand,d2@parts.example\n" >nom-alone.csv &&
	expect_exit 3 crm-import contacts nom-alone.csv 2>err &&
	grep -q "nom-alone.csv:1: unknown column .Nom." err &&
	printf "{\"nom\":\"Curie\",\"email\":\"mc@parts.example\"}\n" >nom.jsonl &&
	expect_exit 3 crm-import contacts nom.jsonl 2>err &&
	grep -q "nom.jsonl:1: nom: .nom. is the given name in some languages and the family name in others" err
'
# HubSpot's Lifecycle Stage says whether someone bought; beside it, its
# Lead Status (how far a sale has gone) is kept as a custom field.
test_expect_success 'HubSpot: the lifecycle stage is the status, the lead status beside it kept' '
	printf "First Name,Email,Lead Status,Lifecycle Stage\n" >hs-life.csv &&
	printf "Ann,ann@life.example,In Progress,Customer\nBo,bo@life.example,,Subscriber\n" >>hs-life.csv &&
	printf "Cy,cy@life.example,Connected,Opportunity\nDi,di@life.example,New,Marketing Qualified Lead\n" >>hs-life.csv &&
	crm-import contacts -q hs-life.csv &&
	crm-contact list --where "email~life.example" -f first_name,status,custom.lead_status -H >out &&
	printf "Ann\tcustomer\tIn Progress\nBo\tlead\t\nCy\tprospect\tConnected\nDi\tlead\tNew\n" >expect &&
	test_cmp expect out
'
# Outlook writes the salutation under Title beside Job Title, and
# categories separated by ';'; Google writes labels as "a ::: b" and marks
# its own with "* "; Mailchimp quotes each tag.
test_expect_success 'Outlook titles and categories, Google labels, Mailchimp tags' '
	printf "First Name,Last Name,Title,Job Title,E-mail Address,Categories\r\n" >ol.csv &&
	printf "John,Doe,Mr.,Purchasing Manager,john@tags.example,Customers; VIP\r\n" >>ol.csv &&
	printf "First Name,E-mail 1 - Value,Labels\nAnn,ann@tags.example,* myContacts ::: Friends ::: Work\n" >gl.csv &&
	printf "Bo,bo@tags.example,* starred\n" >>gl.csv &&
	printf "Email Address,TAGS\nmc@tags.example,\"\"\"Customer\"\",\"\"VIP\"\"\"\n" >mc.csv &&
	for f in ol gl mc; do crm-import contacts -q $f.csv || return 1; done &&
	crm-contact list --where "email~tags.example" -f email,title,custom.salutation,tags -H >out &&
	cat >expect <<-\EOF &&
	john@tags.example	Purchasing Manager	Mr.	Customers,VIP
	ann@tags.example			Friends,Work
	bo@tags.example			starred
	mc@tags.example			Customer,VIP
	EOF
	test_cmp expect out &&
	crm-contact list --tag Friends -f email -H >out &&
	echo ann@tags.example >expect && test_cmp expect out
'
test_expect_success 'the toolkit'"'"'s own listing keeps a link to one of two companies of one name' '
	crm-company add -q --db twins.db --name Nordwind --city Oslo >/dev/null &&
	crm-company add -q --db twins.db --name Nordwind --city Bergen >/dev/null &&
	crm-contact add -q --db twins.db --email lena@example.org --company 2 >/dev/null &&
	for f in jsonl csv; do
		crm-contact list --db twins.db -f all --format $f |
			crm-import contacts --db twins.db --format $f --key id --on-conflict update - 2>err &&
		grep -q "unchanged 1, skipped 0, rejected 0; nothing changed" err || return 1
	done &&
	crm-contact show --db twins.db 1 -f company_id -H >out && echo 2 >expect && test_cmp expect out &&
	: a name alone, or an id the record does not have, still cannot tell them apart &&
	printf "id,company,company_id\n1,Nordwind,1\n" >twin.csv &&
	expect_exit 3 crm-import contacts --db twins.db --key id --on-conflict update twin.csv 2>err &&
	grep -q "company name .Nordwind. is ambiguous; use its id" err
'
test_expect_success 'the toolkit'"'"'s own tags column comes back as it was, in every format' '
	crm-contact add -q --db owntags.db --email ada@tags.example >/dev/null &&
	for t in "a;b" "\"mc\"" "* myContacts" "two words"; do
		crm-contact tag add -q --db owntags.db "$t" 1 || return 1
	done &&
	crm-contact show --db owntags.db 1 -f tags -H >expect &&
	for f in csv tsv jsonl json yaml; do
		crm-contact list --db owntags.db --format $f |
			crm-import contacts --db owntags.db --format $f --key id --on-conflict update - 2>err &&
		grep -q "unchanged 1, skipped 0, rejected 0; nothing changed" err || return 1
	done &&
	crm-contact show --db owntags.db 1 -f tags -H >out && test_cmp expect out &&
	crm-ticket add -q --db owntags.db --subject Help --requester 1 </dev/null >/dev/null &&
	crm-ticket tag add -q --db owntags.db "needs reply" 1 &&
	crm-ticket list --db owntags.db -f id,tags --format csv |
		crm-import tickets --db owntags.db --format csv --key id --on-conflict update - 2>err &&
	grep -q "nothing changed" err
'
# Outlook's export, all 92 columns as desktop Outlook and Outlook.com
# write them, comes in without --ignore-unknown: its other numbers and
# addresses are kept as custom fields, its 0/0/00 is no date, and what it
# writes for every contact (Gender Unspecified, Priority Normal) and the
# Government ID Number go.
test_expect_success 'a whole Outlook export comes in as it is' '
	rm -f ol.db* &&
	crm-import contacts --db ol.db "$TOP/tests/cli/data/outlook-contacts.csv" 2>err &&
	grep -q "read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0; 3 new companies" err &&
	crm-contact list --db ol.db -f first_name,email,phone,company,title,city,country,tags -H >out &&
	cat >expect <<-\EOF &&
	Ada	ada@engines.example	+44 20 7946 0001	Analytical Engines Ltd	Analyst	London	GB	Customers,VIP
	Jürgen	j.gross@mueller.example	0711 123456	Müller & Söhne GmbH	Einkauf	Stuttgart	DE	
	太郎	taro@toyota.example	+81 90-1234-5678	株式会社トヨタ自動車				
	EOF
	test_cmp expect out &&
	sqlite3 ol.db "SELECT contact_id, key, value FROM contact_custom ORDER BY 1, 2" >out &&
	cat >expect <<-\EOF &&
	1|address_line2|Floor 3
	1|anniversary|7/8/1835
	1|business_fax|+44 20 7946 0099
	1|department|Research
	1|email2|countess@home.example
	1|home_city|Ockham
	1|home_country_region|United Kingdom
	1|home_phone|+44 1483 555 010
	1|home_postal_code|GU23 6NP
	1|home_street|1 Ockham Lane
	1|mobile_phone|+44 7700 900123
	1|salutation|Ms.
	1|spouse|William
	1|website|https://engines.example/ada
	2|company_main_phone|+49 711 1234 0
	2|pager|+49 171 000 111
	EOF
	test_cmp expect out &&
	crm-contact timeline --db ol.db 1 -f kind -H | grep -c "^note$" >out && echo 1 >expect &&
	test_cmp expect out &&
	crm-import contacts --db ol.db --on-conflict update "$TOP/tests/cli/data/outlook-contacts.csv" 2>err &&
	grep -q "updated 0, unchanged 3, skipped 0, rejected 0; nothing changed" err &&
	printf "First Name,Gender,Priority\nX,Female,High\n" >no-outlook.csv &&
	expect_exit 3 crm-import contacts --db ol.db no-outlook.csv 2>err &&
	grep -q "unknown columns .Gender., .Priority." err
'
# Outlook.com writes a few columns of its own beside desktop Outlook's.
test_expect_success 'Outlook.com: its Yomi readings, IM address, web page and schools are kept' '
	printf "%s\n" "First Name,Last Name,Given Yomi,Surname Yomi,E-mail Address,IMAddress,Company,Company Yomi,Personal Web Page,Schools,Birthday" \
		"健二,渡辺,けんじ,わたなべ,kenji@example.jp,kenji@im.example,渡辺商事,わたなべしょうじ,https://kenji.example,東京大学,3/14/1985" >olcom.csv &&
	crm-import contacts --db olcom.db -q --date-format %m/%d/%Y olcom.csv &&
	crm-contact show --db olcom.db 1 -f birth_date,custom.phonetic_first_name,custom.phonetic_last_name,custom.phonetic_company,custom.im_address,custom.personal_website,custom.schools -H >out &&
	printf "1985-03-14\tけんじ\tわたなべ\tわたなべしょうじ\tkenji@im.example\thttps://kenji.example\t東京大学\n" >expect &&
	test_cmp expect out
'
# Two addresses, each in its own columns: the row's address is the one it
# fills most, all its parts, and the other is kept whole beside it.
test_expect_success 'Business and Home addresses are never mixed into one' '
	printf "%s\n" "First Name,E-mail Address,Business City,Home Street,Home City,Home Postal Code,Home Country/Region" \
		"Camille,camille@example.fr,Paris,12 rue de la République,Lyon,69002,France" \
		"Ada,ada@example.org,London,,Ockham,," >blocks.csv &&
	crm-import contacts --db blocks.db -q blocks.csv &&
	crm-contact list --db blocks.db -f street,postal_code,city,country,custom.business_city,custom.home_city --format jsonl >out &&
	cat >expect <<-\EOF &&
	{"street":"12 rue de la République","postal_code":"69002","city":"Lyon","country":"FR","custom.business_city":"Paris","custom.home_city":null}
	{"street":null,"postal_code":null,"city":"London","country":null,"custom.business_city":null,"custom.home_city":"Ockham"}
	EOF
	test_cmp expect out
'
# HubSpot leaves Lead Status empty for most people.
test_expect_success 'an empty status takes the default on create and keeps the value on update' '
	printf "Email,Lead Status\nst1@hs-lead.example,customer\nst2@hs-lead.example,\n" >status.csv &&
	crm-import contacts -q status.csv &&
	printf "Email,Lead Status\nst1@hs-lead.example,\n" >status2.csv &&
	crm-import contacts -q --key email --on-conflict update status2.csv &&
	crm-contact list --where "email~hs-lead.example" -f email,status -H >out &&
	printf "st1@hs-lead.example\tcustomer\nst2@hs-lead.example\tlead\n" >expect &&
	test_cmp expect out &&
	printf "Email,Lead Status\nst3@hs-lead.example,New\nst4@hs-lead.example,In Progress\nst5@hs-lead.example,Unqualified\n" >status3.csv &&
	crm-import contacts -q status3.csv &&
	crm-contact list --where "email~hs-lead.example" -f status -H >out &&
	printf "customer\nlead\nlead\nprospect\ninactive\n" >expect && test_cmp expect out &&
	expect_exit 3 crm-contact add --first-name X --status "" 2>err &&
	grep -q "^crm-contact: status: cannot be empty" err
'
test_expect_success 'an unknown column of a file with sep= is named on the header line' '
	printf "sep=;\nVorname;Schuhgroesse\nAda;42\n" >shoe.csv &&
	expect_exit 3 crm-import contacts shoe.csv 2>err &&
	grep -q "^crm-import: shoe.csv:2: unknown column .Schuhgroesse." err &&
	expect_exit 3 crm-import contacts --no-header --columns first_name,shoe shoe.csv 2>err &&
	grep -q "^crm-import: --columns: unknown column .shoe." err
'
test_expect_success '--date-format reads the dates of every date column a map gives none' '
	printf "First Name,E-mail Address,Birthday\nAmy,amy@us.example,3/14/1985\n" >us.csv &&
	printf "Ben,ben@us.example,1986-07-01\nCal,cal@us.example,14/3/1985\n" >>us.csv &&
	expect_exit 3 crm-import contacts --date-format %m/%d/%Y us.csv 2>err &&
	grep -q "us.csv:4: birth_date: .14/3/1985. is not a date in format .%m/%d/%Y." err &&
	crm-contact list --where "email~us.example" -f first_name,birth_date -H >out &&
	printf "Amy\t1985-03-14\nBen\t1986-07-01\n" >expect && test_cmp expect out &&
	printf "columns:\n  Birthday: { field: birth_date, date_format: \"%%d/%%m/%%Y\" }\n" >us.yaml &&
	printf "First Name,E-mail Address,Birthday\nDot,dot@eu.example,14/3/1985\n" >eu.csv &&
	crm-import contacts -q --map us.yaml --date-format %m/%d/%Y eu.csv &&
	test "$(crm-contact list --where email=dot@eu.example -f birth_date -H)" = 1985-03-14 &&
	expect_exit 2 crm-import contacts --date-format mdy us.csv 2>err &&
	grep -q "date-format takes a strptime format" err
'
test_expect_success 'a date written another way names --date-format; an impossible ISO date does not' '
	printf "email,birth_date\nhint1@x.example,14.03.1985\nhint2@x.example,2026-02-30\n" >hint.csv &&
	expect_exit 3 crm-import contacts hint.csv 2>err &&
	grep -q "hint.csv:2: birth_date: invalid date .14.03.1985. (--date-format reads dates written another way)" err &&
	grep -q "hint.csv:3: birth_date: invalid date .2026-02-30.$" err
'
test_expect_success 'a two-digit year puts no birthday in the future; a day that is not is refused' '
	printf "First Name,E-mail Address,Birthday\nEd,ed@yy.example,3/14/55\nFay,fay@yy.example,1/2/05\n" >yy.csv &&
	crm-import contacts -q --date-format %m/%d/%y yy.csv &&
	crm-contact list --where "email~yy.example" -f first_name,birth_date -H >out &&
	printf "Ed\t1955-03-14\nFay\t2005-01-02\n" >expect && test_cmp expect out &&
	printf "First Name,E-mail Address,Birthday\nGus,gus@yy.example,2/29/2023\nHal,hal@yy.example,3/14/55\n" >bad.csv &&
	expect_exit 3 crm-import contacts --date-format %m/%d/%Y bad.csv 2>err &&
	grep -q "bad.csv:2: birth_date: .2/29/2023. is not a date in format .%m/%d/%Y." err &&
	grep -q "bad.csv:3: birth_date: .3/14/55. is not a date in format .%m/%d/%Y." err
'
test_expect_success 'Google Contacts: the values after the first of a column are custom fields' '
	printf "Given Name,Family Name,E-mail 1 - Value,Phone 1 - Value\n" >multi.csv &&
	printf "Ann,Lee,ann@home.example ::: ann@work.example ::: ann@old.example,+1 212 555 0101 ::: +1 212 555 0102\n" >>multi.csv &&
	crm-import contacts -q multi.csv &&
	crm-contact list --where email=ann@home.example -f phone_e164,custom.email2,custom.email3,custom.phone2 -H >out &&
	printf "+12125550101\tann@work.example\tann@old.example\t+1 212 555 0102\n" >expect &&
	test_cmp expect out
'
test_expect_success 'numbered email and phone columns: the next free email2, email3, phone2' '
	printf "Given Name,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,Phone 2 - Value\n" >g2.csv &&
	printf "Gil,gil@home.example ::: gil@other.example,gil@work.example,+1 212 555 0111,+1 212 555 0112\n" >>g2.csv &&
	printf "First Name,E-mail Address,E-mail 2 Address,E-mail 3 Address\nOlga,olga@one.example,,olga@three.example\n" >ol2.csv &&
	crm-import contacts -q g2.csv && crm-import contacts -q ol2.csv &&
	crm-contact list --where email=gil@home.example -f custom.email2,custom.email3,custom.phone2 -H >out &&
	printf "gil@other.example\tgil@work.example\t+1 212 555 0112\n" >expect && test_cmp expect out &&
	crm-contact list --where email=olga@one.example -f custom.email2,custom.email3 -H >out &&
	printf "olga@three.example\t\n" >expect && test_cmp expect out
'
test_expect_success 'numbered columns on an update: a blank one clears what it held, as any blank column' '
	printf "%s\n" "First Name,Nickname,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,Phone 2 - Value" \
		"Ayşe,Ayşo,ayse@example.com.tr,ayse.old@example.org,+90 532 111 22 33,+90 216 444 55 66" >gu1.csv &&
	printf "%s\n" "First Name,Nickname,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,Phone 2 - Value" \
		"Ayşe,,ayse@example.com.tr,,+90 532 111 22 33," >gu2.csv &&
	crm-import contacts --db gu.db -q gu1.csv &&
	crm-import contacts --db gu.db -q --on-conflict update gu2.csv &&
	crm-contact list --db gu.db -f custom.nickname,custom.email2,custom.phone2 --format jsonl >out &&
	echo "{\"custom.nickname\":null,\"custom.email2\":null,\"custom.phone2\":null}" >expect &&
	test_cmp expect out &&
	crm-import contacts --db gu.db --on-conflict update gu2.csv 2>err && grep -q "unchanged 1" err
'
test_expect_success 'a vCard reject keeps every address and number the card had' '
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vic Vee\r\nEMAIL:v1@example.org\r\nEMAIL:v2@example.org\r\nEMAIL:v3@example.org\r\nTEL:+1 212 555 0121\r\nTEL:+1 212 555 0122\r\nTEL:+1 212 555 0123\r\nBDAY:not a day\r\nEND:VCARD\r\n" >three.vcf &&
	expect_exit 3 crm-import contacts --db vrej.db -q -r three-rej.vcf three.vcf &&
	grep -c "^EMAIL:" three-rej.vcf >out && echo 3 >expect && test_cmp expect out &&
	grep -c "^TEL:" three-rej.vcf >out && test_cmp expect out &&
	sed -i "/^BDAY/d" three-rej.vcf &&
	crm-import contacts --db vrej.db -q three-rej.vcf &&
	crm-contact list --db vrej.db -f email,custom.email2,custom.email3,custom.phone3 -H >out &&
	printf "v1@example.org\tv2@example.org\tv3@example.org\t+1 212 555 0123\n" >expect && test_cmp expect out
'
# ADR is post office box; extended address (a flat); street; city; region;
# postal code; country.  The first two are kept as Google's columns are.
test_expect_success 'vCard ADR keeps the box and the flat; its reject card keeps them and a birthday without a year' '
	printf "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dahl;Kari;;;\r\nEMAIL:kari@example\r\nBDAY:--07-04\r\nADR;TYPE=HOME:PB 7;Apt 3;Storgata 1\\\\, bakgarden;Oslo;;0155;Norway\r\nEND:VCARD\r\n" >kari.vcf &&
	expect_exit 3 crm-import contacts --db adr.db -q -r kari-rej.vcf kari.vcf &&
	grep -q "^BDAY:--07-04" kari-rej.vcf &&
	sed -i "s/kari@example/kari@example.no/" kari-rej.vcf &&
	crm-import contacts --db adr.db -q kari-rej.vcf &&
	crm-contact list --db adr.db -f custom.po_box,custom.address_extended,street,city,postal_code,country,custom.birthday -H >out &&
	printf "PB 7\tApt 3\tStorgata 1, bakgarden\tOslo\t0155\tNO\t--07-04\n" >expect &&
	test_cmp expect out
'
test_expect_success 'Google Contacts: a blank family name stays blank beside the full Name' '
	printf "Name,Given Name,Family Name,E-mail 1 - Value\n" >gname.csv &&
	printf "Dr. Maria,Maria,,gm1@example.org\nPeter Jr.,Peter,,gm2@example.org\n" >>gname.csv &&
	printf "Ada Lovelace,Ada,Lovelace,gm3@example.org\nBob Stone,,,gm4@example.org\n" >>gname.csv &&
	crm-import contacts -q gname.csv &&
	crm-contact list --where "email~gm" -f first_name,last_name -H >out &&
	printf "Maria\t\nPeter\t\nAda\tLovelace\nBob\tStone\n" >expect && test_cmp expect out &&
	printf "Vorname,Name,E-Mail\nHans,Hans M\303\274ller,gm5@example.org\n" >gname2.csv &&
	crm-import contacts -q gname2.csv &&
	crm-contact list --where email=gm5@example.org -f first_name,last_name -H >out &&
	printf "Hans\tM\303\274ller\n" >expect && test_cmp expect out
'
test_expect_success 'a date of zeros is no date, and clears one on update' '
	printf "First Name,E-mail Address,Birthday\nZed,zed@zero.example,0/0/00\n" >zero.csv &&
	printf "Zoe,zoe@zero.example,0000-00-00\nZia,zia@zero.example,1990-02-03\n" >>zero.csv &&
	crm-import contacts -q zero.csv &&
	crm-contact list --where "email~zero.example" -f first_name,birth_date -H >out &&
	printf "Zed\t\nZoe\t\nZia\t1990-02-03\n" >expect && test_cmp expect out &&
	printf "E-mail Address,Birthday\nzia@zero.example,00.00.0000\n" >zero2.csv &&
	crm-import contacts -q --on-conflict update zero2.csv &&
	test -z "$(crm-contact list --where email=zia@zero.example -f birth_date -H)" &&
	printf "E-mail Address,Birthday\nzed@zero.example,0/0/01\n" >zero3.csv &&
	expect_exit 3 crm-import contacts --on-conflict update zero3.csv 2>err &&
	grep -q "zero3.csv:2: birth_date: invalid date .0/0/01." err
'
test_expect_success '--keep-unknown stores custom fields, --ignore-unknown drops them' '
	printf "email,Favourite Colour\nk1@example.org,red\n" >k.csv &&
	crm-import contacts -q --keep-unknown k.csv &&
	crm-contact list --where email=k1@example.org -f custom.favourite_colour -H >out && echo red >expect && test_cmp expect out &&
	printf "email,Favourite Colour\nk2@example.org,blue\n" >k2.csv &&
	crm-import contacts -q --ignore-unknown k2.csv &&
	crm-contact list --where email=k2@example.org -f all --format jsonl >out &&
	grep -q k2@example.org out && ! grep -q blue out
'
test_expect_success '--keep-unknown keeps headers in any script, and refuses two that would share a key' '
	printf "email,\344\274\232\347\244\276\343\203\241\343\203\242,\347\264\271\344\273\213\350\200\205\nk3@example.org,m1,t1\n" >jp.csv &&
	crm-import contacts -q --keep-unknown jp.csv &&
	memo=$(printf "\344\274\232\347\244\276\343\203\241\343\203\242") &&
	referrer=$(printf "\347\264\271\344\273\213\350\200\205") &&
	crm-contact list --where "custom.$memo=m1" -f "email,custom.$referrer" -H >out &&
	printf "k3@example.org\tt1\n" >expect && test_cmp expect out &&
	printf "email,Gr\303\266\303\237e,Gr\303\266sse\nk4@example.org,1,2\n" >gr.csv &&
	snapshot before &&
	expect_exit 3 crm-import contacts --keep-unknown gr.csv 2>err &&
	grep -q "^crm-import: gr.csv:1: columns .Gr.*e. and .Gr.*sse. would both be kept as custom.grosse" err &&
	snapshot after && test_cmp before after
'

# A deal's search entry holds its person's name, a person's their
# company's: an import that changes a name changes them too.
test_expect_success 'an import that renames people and companies brings the entries naming them up to date' '
	db="$SCRATCH/names.db" &&
	CRM_DB=$db crm-company add --name "Acme Old" --domain acme.example >/dev/null &&
	CRM_DB=$db crm-contact add --first-name Ann --last-name Oldname --email ann@names.example \
		--company "Acme Old" >/dev/null &&
	CRM_DB=$db crm-deal add --title Big --contact ann@names.example >/dev/null &&
	printf "email,last_name\nann@names.example,Newname\n" >rename.csv &&
	CRM_DB=$db crm-import contacts -q --key email --on-conflict update rename.csv &&
	echo Big >expect &&
	CRM_DB=$db crm-deal list -s Newname -f title -H >out && test_cmp expect out &&
	expect_exit 1 env CRM_DB=$db crm-deal list -s Oldname -f title -H &&
	printf "domain,name\nacme.example,Zenith\n" >rename-co.csv &&
	CRM_DB=$db crm-import companies -q --key domain --on-conflict update rename-co.csv &&
	echo ann@names.example >expect &&
	CRM_DB=$db crm-contact list -s Zenith -f email -H >out && test_cmp expect out
'

# Bad input: a clear message with file and line, exit 2 or 3, and the
# database as it was.
bad_input() {
	title=$1 code=$2 pattern=$3
	shift 3
	test_expect_success "$title" "
		snapshot before &&
		expect_exit $code $* 2>err && grep -q -- \"$pattern\" err &&
		snapshot after && test_cmp before after
	"
}
printf 'email,first_name\nt1@example.org,"Tess\nt2@example.org,Tom\n' >unclosed.csv
bad_input 'a quote never closed is fatal' 3 'unclosed.csv:2: quoted field never closed' crm-import contacts unclosed.csv
printf 'email,email\nd@example.org,e\n' >duphdr.csv
bad_input 'a header with duplicate columns' 3 "duphdr.csv:1: column 'email' appears twice" crm-import contacts duphdr.csv
printf 'email,first_name\nf1@example.org,A,extra\nf2@example.org\n' >fields.csv
bad_input 'too many and too few fields reject those lines' 3 'fields.csv:3: 1 field where the header has 2' crm-import contacts fields.csv
printf 'email,first_name\nnul@example.org,A\0B\n' >nul.csv
bad_input 'a NUL byte rejects the record, naming its column' 3 "nul.csv:2: first_name: column 'first_name' holds a NUL byte" crm-import contacts nul.csv
printf 'email,first_name\nbig@example.org,' >big.csv && head -c 10485760 /dev/zero | tr '\0' x >>big.csv && echo >>big.csv
bad_input 'a 10 MB field rejects the record' 3 "big.csv:2: first_name: column 'first_name' is longer than" crm-import contacts big.csv
printf 'email,first_name\nu8@example.org,\xff\xfe\n' >utf.csv
bad_input 'invalid UTF-8 rejects the record with its line' 3 'utf.csv:2: first_name: invalid UTF-8' crm-import contacts utf.csv
bad_input 'a wrong --format name' 2 "unknown input format 'xml'" crm-import contacts --format xml utf.csv
printf '{"email": "j@example.org"}\n' >wrong.csv
bad_input 'JSON read as CSV reports unknown columns' 3 'wrong.csv:1: unknown column' crm-import contacts wrong.csv
bad_input 'a missing file' 2 "cannot open 'missing.csv': No such file" crm-import contacts missing.csv
mkdir -p adir.csv
bad_input 'an unreadable file' 2 "cannot read 'adir.csv'" crm-import contacts adir.csv
printf '[{"email":"tr1@example.org"},{"email":"tr2@example.org",' >trunc.json
bad_input 'a truncated JSON file rolls everything back' 3 'trunc.json:1: invalid JSON' crm-import contacts trunc.json
printf 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cut Off\r\n' >trunc.vcf
bad_input 'a vCard without END:VCARD' 3 'trunc.vcf' crm-import contacts trunc.vcf
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\nEMAIL:noend@example.org\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Next One\r\nEND:VCARD\r\n' >noend.vcf
bad_input 'a vCard whose END:VCARD is missing before the next card' 3 'noend.vcf:5: BEGIN:VCARD inside the card begun at line 1 (no END:VCARD before it)' crm-import contacts noend.vcf
printf 'columns:\n  E-mail: emial\n' >badfield.yaml
bad_input 'a mapping file with an unknown field' 2 'badfield.yaml:2:11: unknown contact field .emial.' crm-import contacts --map badfield.yaml unclosed.csv
printf 'columns: [\n' >badyaml.yaml
bad_input 'a mapping file with bad YAML' 2 'badyaml.yaml:2:1: ' crm-import contacts --map badyaml.yaml unclosed.csv
printf 'email,Shoe,Hat\nsh@example.org,42,L\n' >unknown.csv
bad_input 'unknown columns are listed' 3 "unknown columns 'Shoe', 'Hat'" crm-import contacts unknown.csv
bad_input 'stdin needs --format' 2 'cannot tell the format' crm-import contacts '<unknown.csv'
bad_input 'a key that is not a key field' 2 "cannot match contacts on .city. (key fields: id, email, phone, custom.KEY)" crm-import contacts --key city unknown.csv
bad_input 'a bad --on-conflict' 2 "takes skip, update or error" crm-import contacts --on-conflict merge unknown.csv

test_expect_success '--help and the man page name every option' '
	crm-import contacts --help >out &&
	sed "s/\\\\-/-/g" "$TOP/man/man1/crm-import.1" >man &&
	for o in format delimiter no-header columns encoding map date-format decimal-comma keep-unknown ignore-unknown key on-conflict reject max-errors dry-run; do
		grep -q -- "--$o" out && grep -q -- "--$o" man ||
			{ echo "missing $o"; exit 1; }
	done
'
test_expect_success 'a Create Date is when the person was made; a blank owner is the importer' '
	export CRM_DB="$SCRATCH/created.db" &&
	printf "First Name,Email,Create Date,Contact owner\nAnn,ann@created.example,2021-05-01 10:00,\nBo,bo@created.example,,dora\n" >created.csv &&
	crm-import contacts -q created.csv &&
	crm-contact list -f first_name,owner,created_at -H >out &&
	printf "Ann\ttester\t2021-05-01T10:00:00Z\nBo\tdora\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'the toolkit s own list keeps each creation when loaded into another database' '
	export CRM_DB="$SCRATCH/created.db" &&
	crm-contact list --format csv >list.csv &&
	CRM_DB="$SCRATCH/copy.db" crm-import contacts -q list.csv &&
	CRM_DB="$SCRATCH/copy.db" crm-contact list -f email,created_at -H >out &&
	crm-contact list -f email,created_at -H >expect &&
	test_cmp expect out
'
# script(1) runs the import on a pseudo-terminal, where progress shows.
test_expect_success 'progress line on a terminal, none with -q or off a terminal' '
	export CRM_DB="$SCRATCH/progress.db" &&
	"$TOP/bench/gen-people" 5000 >many.csv &&
	script -qec "crm-import contacts -n many.csv" /dev/null >tty &&
	grep -q "crm-import: many.csv: [0-9]* records, [0-9]*/s, [0-9]*%" tty &&
	script -qec "crm-import contacts -n -q many.csv" /dev/null >tty &&
	! grep -q "records," tty &&
	crm-import contacts -n many.csv 2>err && ! grep -q "records," err
'
# An import's "add" entries keep who, when and which batch, not the
# values: those are the record's own, taken back through later changes.
test_expect_success 'an import audits its creations small; their history shows the values made' '
	printf "name,email,city,custom.size,company\nBob Ray,bob@small.example,Oslo,XL,Small Co\n" >small.csv &&
	CRM_DB=small.db crm-import contacts -q small.csv &&
	test "$(sqlite3 small.db "SELECT count(*) FROM audit WHERE changes IS NOT NULL")" = 0 &&
	CRM_DB=small.db crm-contact set -q 1 --city Bergen --status customer &&
	CRM_DB=small.db crm-contact set -q 1 --city Tromsø --set size=M &&
	CRM_DB=small.db crm-db audit -f entity,action,changes -H >out &&
	{
		printf "company\tadd\tcreated: name=Small Co; owner=tester\n"
		printf "contact\tadd\tcreated: first_name=Bob; last_name=Ray; email=bob@small.example;"
		printf " company=Small Co; city=Oslo; owner=tester; status=lead; custom.size=XL\n"
		printf "contact\tset\tcity: Oslo → Bergen; status: lead → customer\n"
		printf "contact\tset\tcity: Bergen → Tromsø; custom.size: XL → M\n"
	} >expect &&
	test_cmp expect out &&
	CRM_DB=small.db crm-contact export-data 1 >data.json &&
	jq -r ".audit[0].changes | .city[1], .status[1], .[\"custom.size\"][1]" data.json >out &&
	printf "Oslo\nlead\nXL\n" >expect && test_cmp expect out &&
	CRM_DB=small.db crm-contact timeline 1 -f kind,text -H | tail -1 >out &&
	grep -q "^add	created: first_name=Bob;.*city=Oslo;" out
'
# Mailchimp's audience export: its Birthday has no year, which is no
# date of birth; it stays as a custom field, as vCard's --MM-DD does, and
# the row comes in.  A whole date is still a birth date.
test_expect_success 'Mailchimp: a birthday without a year is kept, not a reason to reject' '
	{
		echo "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS"
		echo "jana@mc.example,Jana,Nováková,,+420 601 123 456,03/14,2,2025-03-01 10:00:00,,2025-03-01 10:05:00,198.51.100.7,50.08,14.43,1,2,Europe/Prague,CZ,,2025-03-01 10:05:00,123456,abc123,,"
		echo "oisin@mc.example,Oisín,Ó Briain,,,--12-10,3,,,,,,,,,,IE,,,1,a,,"
		echo "ada@mc.example,Ada,Lovelace,,,1815-12-10,5,,,,,,,,,,GB,,,2,b,,"
	} >mailchimp.csv &&
	CRM_DB=mc.db crm-import contacts mailchimp.csv 2>err &&
	grep -q "read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0" err &&
	CRM_DB=mc.db crm-contact list -f email,birth_date,custom.birthday -H >out &&
	printf "jana@mc.example\t\t03/14\noisin@mc.example\t\t--12-10\nada@mc.example\t1815-12-10\t\n" >expect &&
	test_cmp expect out &&
	# Where Mailchimp placed Jana is its guess, not her address.
	sqlite3 mc.db "SELECT key, value FROM contact_custom WHERE contact_id = 1 ORDER BY key" >out &&
	cat >expect <<-\EOF &&
	birthday|03/14
	confirm_ip|198.51.100.7
	location_country|CZ
	member_rating|2
	source_id|123456
	timezone|Europe/Prague
	EOF
	test_cmp expect out &&
	CRM_DB=mc.db crm-contact list -f country -H | sort -u >out && echo >expect && test_cmp expect out &&
	printf "name,email,birth_date\nBad,bad@mc.example,14/14/2020\nNo,no@mc.example,13/45\n" >bad-birth.csv &&
	CRM_DB=mc.db crm-import contacts bad-birth.csv 2>err; test $? = 3 &&
	grep -q "birth_date: invalid date .14/14/2020." err &&
	grep -q "birth_date: invalid date .13/45." err && grep -q "rejected 2" err
'
# Mailchimp's Address is one cell, its parts two spaces apart, line 2 left
# out when empty; a street of another shape stays whole.
test_expect_success 'Mailchimp: the address cell is read into its parts' '
	{
		echo "Email Address,First Name,Address"
		echo "rose@mc.example,Rose,\"512 Means St.  Suite 404  Atlanta  GA  30318  USA\""
		echo "tom@mc.example,Tom,\"1701 Bristol Ave.  Barrington  RI  02806\""
		echo "ann@mc.example,Ann,\"10 Downing Street  London  SW1A 2AA  United Kingdom\""
		echo "joe@mc.example,Joe,\"Flat 3,  12 High St\""
	} >mc-address.csv &&
	crm-import contacts --db mcaddr.db -q mc-address.csv &&
	crm-contact list --db mcaddr.db -f street,custom.address_line2,city,region,postal_code,country -H >out &&
	cat >expect <<-\EOF &&
	512 Means St.	Suite 404	Atlanta	GA	30318	US
	1701 Bristol Ave.		Barrington	RI	02806	
	10 Downing Street		London		SW1A 2AA	GB
	Flat 3,  12 High St					
	EOF
	test_cmp expect out
'
# The log read newest first tells what holds now: an undo is written from
# what the batch made back to what was, for consent and notes as for fields.
test_expect_success 'undo logs consent and notes from what the batch made back to what was' '
	crm-db init --db undolog.db >/dev/null &&
	crm-contact add --db undolog.db -q --email c@undo.example --city Oslo >/dev/null &&
	crm-contact consent set --db undolog.db 1 email granted --source form &&
	printf "email,city,email_consent,note\nc@undo.example,Bergen,denied,called\n" >undolog.csv &&
	crm-import contacts --db undolog.db -q --on-conflict update undolog.csv &&
	crm-import undo --db undolog.db -q 1 &&
	crm-contact timeline --db undolog.db 1 -f kind,text -H | sed -n "2,3p" >out &&
	grep -q "^undo	consent.email: denied → granted; .*source: import of undolog.csv (email_consent) → form$" out &&
	grep -q "^undo	interaction: 1 →$" out
'
# Consent comes with the people: Mailchimp dates it (confirmed, else opted
# in; unsubscribed), Shopify asks Accepts Email Marketing, a mapping file
# names any column consent.CHANNEL.  What was recorded stays unless the
# import's is news: an old opt-in never overrides a later withdrawal.
test_expect_success 'consent: Mailchimp'"'"'s times, a later withdrawal kept, undo puts it back' '
	export CRM_DB="$SCRATCH/consent.db" &&
	printf "Email Address,First Name,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP\n" >sub.csv &&
	printf "jana@mc.example,Jana,2025-03-01 10:00:00,,2025-03-01 10:05:00,198.51.100.7\n" >>sub.csv &&
	printf "ola@mc.example,Ola,2025-04-01 09:00:00,,,\n" >>sub.csv &&
	printf "Email Address,Last Name,UNSUB_TIME,UNSUB_REASON\nola@mc.example,Nordmann,2026-02-01 12:00:00,No longer interested\n" >unsub.csv &&
	crm-import contacts -q sub.csv &&
	crm-contact consent show 1 -H >out &&
	printf "email\tgranted\timport of sub.csv (CONFIRM_TIME)\t2025-03-01T10:05:00Z\n" >expect && test_cmp expect out &&
	crm-import contacts --on-conflict update unsub.csv 2>err && grep -q "updated 1" err &&
	batch=$(sed -n "s/.*batch \([0-9]*\)$/\1/p" err) &&
	crm-import contacts --on-conflict update sub.csv 2>err &&
	grep -q "unchanged 2, skipped 0, rejected 0; nothing changed" err &&
	crm-contact show 2 -f custom.unsub_reason -H >out && echo "No longer interested" >expect &&
	test_cmp expect out &&
	crm-contact consent show 2 -H >out &&
	printf "email\twithdrawn\timport of unsub.csv (UNSUB_TIME)\t2026-02-01T12:00:00Z\n" >expect && test_cmp expect out &&
	crm-import undo "$batch" 2>err && grep -q "restored 1" err &&
	crm-contact consent show 2 -H >out &&
	printf "email\tgranted\timport of sub.csv (OPTIN_TIME)\t2025-04-01T09:00:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'consent: yes and no, a mapped column, and a bad value rejected' '
	export CRM_DB="$SCRATCH/consent2.db" &&
	crm-contact add -q --email kept@shop.example >/dev/null &&
	CRM_NOW=2026-11-01T10:00:00Z crm-contact consent set -q 1 email withdrawn --source "phone call" &&
	printf "Email,First Name,Accepts Email Marketing,Accepts SMS Marketing,Newsletter\n" >shop.csv &&
	printf "kept@shop.example,Kim,yes,no,\nnew@shop.example,Nia,yes,,\nbad@shop.example,Bo,maybe,,\n" >>shop.csv &&
	printf "columns:\n  Newsletter: consent.post\n" >consent.yaml &&
	expect_exit 3 crm-import contacts --map consent.yaml --on-conflict update shop.csv 2>err &&
	grep -q "shop.csv:4: consent.email: .maybe. is not granted, denied, withdrawn, yes, no or a time" err &&
	crm-contact consent show 1 -f channel,status,source -H >out &&
	printf "email\twithdrawn\tphone call\nsms\tdenied\timport of shop.csv (Accepts SMS Marketing)\n" >expect &&
	test_cmp expect out &&
	crm-contact consent show 2 -f channel,status -H >out &&
	printf "email\tgranted\n" >expect && test_cmp expect out &&
	printf "columns:\n  Newsletter: consent.pigeon\n" >bad.yaml &&
	expect_exit 2 crm-import contacts --map bad.yaml shop.csv 2>err &&
	grep -q "unknown channel .pigeon." err
'
# A merge mixes two histories: the small "add" entries of the people it
# joins keep, from then on, the values each was made with, or the merged
# person's would read the survivor's and the survivor's be taken back
# through the merged person's changes.
test_expect_success 'merged imported people: each one'"'"'s history still shows how it was made' '
	printf "name,email,phone,city\nAnn Lee,ann@merge.example,+4722334455,Oslo\nAnn Lee,ann.lee@merge.example,+4722334455,\n" >merge.csv &&
	CRM_DB=merge.db crm-import contacts -q merge.csv &&
	CRM_DB=merge.db crm-contact set -q 2 --city Trondheim &&
	CRM_DB=merge.db crm-contact merge 1 2 >/dev/null &&
	CRM_DB=merge.db crm-db audit --id 1 -f action,changes -H | grep "^add" >out &&
	{
		printf "add\tcreated: first_name=Ann; last_name=Lee; email=ann@merge.example;"
		printf " phone=+4722334455; city=Oslo; owner=tester; status=lead\n"
		printf "add\tcreated: first_name=Ann; last_name=Lee; email=ann.lee@merge.example;"
		printf " phone=+4722334455; owner=tester; status=lead\n"
	} >expect &&
	test_cmp expect out &&
	CRM_DB=merge.db crm-dedup unmerge 1 2>/dev/null &&
	CRM_DB=merge.db crm-db audit --id 2 -f action,changes -H | head -1 >out &&
	sed -n 2p expect >expect2 && test_cmp expect2 out
'
test_done
